import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useServeReplicas } from '../helpers/serve-replicas.ts'

// Two `tunewell serve --executor kubernetes` replicas on one PostgreSQL and one fake API server
// (docs/kubernetes.md, "Several replicas"): the leader stopped with SIGTERM, as a rolling update
// does, hands its experiment over without stopping its trials.
const { skip, replicas: current } = useServeReplicas()

test('SIGTERM of the leader leaves its Jobs running; the other replica re-attaches to them: no second create, no lost point', { skip, timeout: 300_000 }, async () => {
  const replicas = current()
  const a = await replicas.replica('replica-a')
  const b = await replicas.replica('replica-b')
  const gate = replicas.gate('term')
  const from = replicas.kube.requests.length
  const record = await replicas.submit(a, `failover-term-${Date.now().toString(36)}`, gate.path)
  const running = await replicas.runningWithPoints(record)
  const leaderName = await replicas.holder(record)
  const [leader, other, otherName] = leaderName === 'replica-a' ? [a, b, 'replica-b'] : [b, a, 'replica-a']
  const uids = running.map((t) => (t.execution as { uid: string }).uid).sort()

  assert.equal(await leader.stop(), 0, leader.output.err)
  // Gone without deleting anything: the same Jobs (by uid) still run.
  assert.deepEqual(replicas.deletes(from), [])
  assert.deepEqual(running.map((t) => replicas.kube.object('jobs', replicas.kube.namespace, t.name)?.metadata.uid).sort(), uids)
  // It released the lease on its way out: the other replica takes it at its next poll.
  await replicas.heldBy(record, otherName)
  gate.open()
  const trials = await replicas.assertFinishedOnce(record, from)
  // Each Job deleted once: when its trial ended.
  assert.deepEqual(replicas.deletes(from).sort(), trials.map((t) => t.name).sort())
  assert.equal(await other.stop(), 0, other.output.err)
})
