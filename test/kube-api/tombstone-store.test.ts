import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Store } from '../../db/store.ts'
import { openTestStore } from '../helpers/test-store.ts'
import { opaqueSpec } from '../helpers/opaque-spec.ts'

const unique = (prefix: string) => `${prefix}-${randomUUID().replaceAll('-', '').slice(0, 12)}`

// With DATABASE_URL this runs on PostgreSQL (a schema of its own), otherwise on PGlite.
describe('tombstones of deleted experiments (the DELETED side of Kubernetes watches)', () => {
  let store: Store
  before(async () => {
    store = await openTestStore()
  })
  after(async () => {
    await store?.destroy()
  })

  const newExperiment = async () => {
    const experiment = await store.experiments.create({ name: unique('exp'), spec: opaqueSpec({ metadata: { namespace: 'team-a', labels: { a: 'b' } } }), seed: 1 })
    await store.events.append({ experimentId: experiment.id, type: 'experiment:created', payload: { name: experiment.name } })
    const trials = await store.trials.createMany(experiment.id, [{ name: unique('t'), params: { lr: 0.1 } }, { name: unique('t'), params: { lr: 0.2 } }])
    await store.trials.update(trials[0]!.id, { objective: Number.NaN, metrics: { loss: { min: 1, max: 2, latest: 1 } } })
    await store.events.appendMany(trials.map((t) => ({ experimentId: experiment.id, trialId: t.id, type: 'trial:created' as const, payload: { name: t.name, params: t.params } })))
    return { experiment, trials }
  }

  test('a delete leaves a tombstone with the experiment and its trials as they were, after its events in one id order', async () => {
    const { experiment, trials } = await newExperiment()
    const before = await store.tombstones.latestId()
    const history = await store.events.list(experiment.id)
    await store.experiments.delete(experiment.id)

    const latest = await store.tombstones.latestId()
    assert.ok(latest > history.at(-1)!.id, 'the tombstone takes the next id of the events sequence')
    const changes = await store.tombstones.changes({ afterId: before - history.length, limit: 100 })
    const deleted = changes.filter((c) => c.type === 'experiment:deleted')
    assert.deepEqual(deleted.map((c) => [c.id, c.experimentId]), [[latest, experiment.id]])
    // The experiment's own events went with it (cascade); the tombstone stands for them.
    assert.equal(changes.filter((c) => c.experimentId === experiment.id && c.type !== 'experiment:deleted').length, 0)

    const [tombstone] = await store.tombstones.get([latest])
    assert.ok(tombstone)
    assert.deepEqual(tombstone.experiment, experiment)
    assert.deepEqual(tombstone.trials.map((t) => t.name), trials.map((t) => t.name))
    assert.ok(Number.isNaN(tombstone.trials[0]!.objective), 'NaN objectives survive the snapshot')
    assert.deepEqual(tombstone.trials[0]!.metrics, { loss: { min: 1, max: 2, latest: 1 } })
    assert.deepEqual(tombstone.trials[1]!.params, { lr: 0.2 })
    assert.ok(tombstone.deletedAt instanceof Date)
  })

  test('changes interleave events and tombstones by id, within the range and limit', async () => {
    const start = await store.tombstones.latestId()
    const one = await newExperiment()
    const two = await newExperiment()
    await store.experiments.delete(one.experiment.id)
    await store.events.append({ experimentId: two.experiment.id, type: 'experiment:new-best', payload: { objective: 1 } })
    const all = await store.tombstones.changes({ afterId: start, limit: 1000 })
    const ids = all.map((c) => c.id)
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b))
    assert.deepEqual(all.map((c) => c.type), [
      // one's events are gone with it; two's three, then one's deletion, then two's new best
      'experiment:created', 'trial:created', 'trial:created', 'experiment:deleted', 'experiment:new-best',
    ])
    const page = await store.tombstones.changes({ afterId: start, untilId: all[3]!.id, limit: 2 })
    assert.deepEqual(page.map((c) => c.id), ids.slice(0, 2))
    const tail = await store.tombstones.changes({ afterId: all[1]!.id, untilId: all[3]!.id, limit: 10 })
    assert.deepEqual(tail.map((c) => c.id), ids.slice(2, 4))
  })

  test('a rolled-back delete leaves no tombstone', async () => {
    const { experiment } = await newExperiment()
    const before = await store.tombstones.latestId()
    await assert.rejects(store.transaction(async (tx) => {
      await tx.experiments.delete(experiment.id)
      throw new Error('changed my mind')
    }), /changed my mind/)
    assert.ok(await store.experiments.get(experiment.id))
    const after = await store.tombstones.changes({ afterId: before, limit: 10 })
    assert.deepEqual(after.filter((c) => c.type === 'experiment:deleted'), [])
  })

  test('prune drops tombstones past the window and moves the horizon to the highest one dropped', async () => {
    const { experiment } = await newExperiment()
    await store.experiments.delete(experiment.id)
    const id = await store.tombstones.latestId()
    assert.ok(await store.tombstones.horizon() < id)
    assert.ok(await store.tombstones.prune(60_000) < id, 'a fresh tombstone is kept')
    assert.equal((await store.tombstones.get([id])).length, 1)
    await sleep(30)
    const horizon = await store.tombstones.prune(10)
    assert.equal(horizon, id)
    assert.equal(await store.tombstones.horizon(), id)
    assert.deepEqual(await store.tombstones.get([id]), [])
    // The horizon never goes back, whatever is pruned later.
    assert.equal(await store.tombstones.prune(10), id)
  })
})
