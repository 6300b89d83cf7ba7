import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useServeReplicas, until } from '../helpers/serve-replicas.ts'

// Two `tunewell serve --executor kubernetes` replicas on one PostgreSQL and one fake API server
// (docs/kubernetes.md, "Several replicas"): the leader paused (SIGSTOP) past its lease, replaced,
// and resumed. Fencing refuses its writes and the trials' deterministic names its creates; on
// finding its lease lost it lets go of the trials without deleting them.
const { skip, replicas: current } = useServeReplicas()

test('a leader paused past its lease and resumed creates and deletes nothing; the other replica finishes the experiment', { skip, timeout: 300_000 }, async () => {
  const replicas = current()
  // A short lease: the pause only has to outlast it.
  const ttl = { TUNEWELL_LEASE_TTL_SECONDS: '2' }
  const a = await replicas.replica('replica-a', ttl)
  const b = await replicas.replica('replica-b', ttl)
  const gate = replicas.gate('pause')
  const from = replicas.kube.requests.length
  const record = await replicas.submit(a, `failover-pause-${Date.now().toString(36)}`, gate.path)
  const running = await replicas.runningWithPoints(record)
  const leaderName = await replicas.holder(record)
  const [leader, other, otherName] = leaderName === 'replica-a' ? [a, b, 'replica-b'] : [b, a, 'replica-a']
  const uids = running.map((t) => (t.execution as { uid: string }).uid).sort()

  leader.kill('SIGSTOP')
  const stoppedAt = replicas.kube.requests.length
  try {
    await replicas.heldBy(record, otherName)
    // The other replica re-attached: it read each Job its handle names (the paused one asks nothing).
    await until('the Jobs re-attached', () => {
      const read = new Set(replicas.kube.requests.slice(stoppedAt).filter((r) => r.verb === 'get' && r.resource === 'jobs').map((r) => r.name))
      return running.every((t) => read.has(t.name)) ? true : undefined
    })
  } finally {
    leader.kill('SIGCONT')
  }
  const resumedAt = replicas.kube.requests.length
  await until('the resumed leader to find its lease lost', () => (/no longer drives experiment/.test(leader.output.err) ? true : undefined))
  assert.deepEqual(replicas.creates(resumedAt), [], 'the resumed leader created nothing')
  assert.deepEqual(replicas.deletes(resumedAt), [], 'the resumed leader deleted nothing')
  assert.deepEqual(running.map((t) => replicas.kube.object('jobs', replicas.kube.namespace, t.name)?.metadata.uid).sort(), uids)
  gate.open()
  await replicas.assertFinishedOnce(record, from)
  assert.equal(await leader.stop(), 0, leader.output.err)
  assert.equal(await other.stop(), 0, other.output.err)
})
