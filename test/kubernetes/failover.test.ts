import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useServeReplicas } from '../helpers/serve-replicas.ts'

// Two `tunewell serve --executor kubernetes` replicas on one PostgreSQL and one fake API server
// (docs/kubernetes.md, "Several replicas"): the leader killed with -9 mid-run, on "another host"
// (its own controller name), so its lease must expire before the other takes over.
const { skip, replicas: current } = useServeReplicas()

test('the leader killed with -9 mid-run: the other replica takes over once its lease expires and finishes the experiment, no trial launched twice, no point lost or doubled', { skip, timeout: 300_000 }, async (t) => {
  const replicas = current()
  const a = await replicas.replica('replica-a')
  const b = await replicas.replica('replica-b')
  const gate = replicas.gate('kill')
  const from = replicas.kube.requests.length
  const record = await replicas.submit(a, `failover-kill-${Date.now().toString(36)}`, gate.path)
  // Both trials' first points stored by the leader; their Jobs wait at the gate.
  await replicas.runningWithPoints(record)
  const leaderName = await replicas.holder(record)
  const [leader, other, otherName] = leaderName === 'replica-a' ? [a, b, 'replica-b'] : [b, a, 'replica-a']

  const killedAt = Date.now()
  leader.kill('SIGKILL')
  assert.equal(await leader.exited, null)
  await replicas.heldBy(record, otherName)
  t.diagnostic(`takeover after kill -9: ${((Date.now() - killedAt) / 1000).toFixed(1)} s (lease time to live: the default, 10 s)`)
  // The Jobs ran on meanwhile: re-attached, not relaunched, their logs read again from the start.
  gate.open()
  await replicas.assertFinishedOnce(record, from)
  assert.equal(await other.stop(), 0, other.output.err)
})
