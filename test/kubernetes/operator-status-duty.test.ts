import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { Store } from '../../db/store.ts'
import { statusDuty } from '../../controller/kubernetes/operator/status-duty.ts'
import { openTestStore } from '../helpers/test-store.ts'
import { jobExperiment } from '../helpers/job-experiment.ts'

/**
 * With several operator replicas, an Experiment resource's status is written by the replica that
 * runs the experiment, and by any replica while none holds its lease, never by all of them.
 */

let store: Store
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store?.destroy()
})

async function experiment(): Promise<string> {
  const name = `duty-${randomUUID().slice(0, 8)}`
  const spec = jobExperiment({ name, maxTrials: 2, parallel: 1, image: 'docker.io/library/node:20', command: ['node', '-e', '0'] })
  return (await store.experiments.create({ name, spec, seed: 1 })).id
}

test('the replica running an experiment writes its status; another replica does not while the lease is held, and does once it is let go', async () => {
  const id = await experiment()
  const holderId = randomUUID()
  const taken = await store.leases.acquire(id, holderId, { host: 'replica-a', pid: 4242, command: 'serve' }, 60_000)
  assert.ok(taken.acquired)

  const runningHere = new Set([id])
  const leader = statusDuty(store, (x) => runningHere.has(x))
  const standby = statusDuty(store, () => false)
  assert.equal(await leader(id), true)
  assert.equal(await standby(id), false, 'the standby leaves a leased experiment to its holder')

  assert.equal(await store.leases.release({ experimentId: id, holderId, epoch: taken.lease.epoch }), true)
  assert.equal(await standby(id), true, 'nobody runs it (completed, or between leaders): any replica writes')
})

test('an experiment never leased (waiting to start) has its status written by every replica', async () => {
  const id = await experiment()
  assert.equal(await statusDuty(store, () => false)(id), true)
})

test('an expired lease counts as none: the status of a dead leader\'s experiment is kept until another takes it', async () => {
  const id = await experiment()
  const taken = await store.leases.acquire(id, randomUUID(), { host: 'replica-a', pid: 4242, command: 'serve' }, 500)
  assert.ok(taken.acquired)
  const standby = statusDuty(store, () => false)
  for (let i = 0; i < 200 && !(await standby(id)); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(await standby(id), true)
})
