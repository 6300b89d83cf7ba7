import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { Store } from '../../db/store.ts'
import { openTestStore } from '../helpers/test-store.ts'

let store: Store
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store?.destroy()
})

async function experimentWith(pending: number) {
  const e = await store.experiments.create({ name: `ask-${randomUUID().slice(0, 8)}`, spec: {}, seed: 1 })
  await store.experiments.transition(e.id, ['Created'], { state: 'Running' })
  const trials = await store.trials.createMany(e.id, Array.from({ length: pending }, (_, i) => ({ name: `${e.name}-${i}`, params: { x: i } })))
  return { e, trials }
}

const claim = (experimentId: string, o: { key?: string; maxRunning?: number; staleSeconds?: number } = {}) =>
  store.trials.claimForWorker(experimentId, {
    ...(o.key !== undefined ? { idempotencyKey: o.key } : {}), worker: 'w', maxRunning: o.maxRunning ?? 10, staleSeconds: o.staleSeconds ?? 300,
  })

describe('ask/tell store methods', () => {
  test('claimForWorker takes Pending trials in number order, honours the key and the Running limit', async () => {
    const { e, trials } = await experimentWith(3)
    const first = await claim(e.id, { key: 'a', maxRunning: 2 })
    assert.equal(first.outcome, 'claimed')
    assert.equal(first.outcome === 'claimed' && first.trial.id, trials[0]!.id)
    assert.equal(first.outcome === 'claimed' && first.pending, 2)
    const same = await claim(e.id, { key: 'a', maxRunning: 2 })
    assert.deepEqual(same, { outcome: 'existing', trial: { ...(first.outcome === 'claimed' ? first.trial : {}), state: 'Running' } })
    assert.equal((await claim(e.id, { maxRunning: 2 })).outcome, 'claimed')
    assert.equal((await claim(e.id, { maxRunning: 2 })).outcome, 'busy')
    assert.equal((await claim(e.id, { maxRunning: 3 })).outcome, 'claimed')
    assert.equal((await claim(e.id, { maxRunning: 9 })).outcome, 'empty')
    const row = (await store.trials.get(trials[0]!.id))!
    assert.equal(row.state, 'Running')
    assert.equal(row.idempotencyKey, 'a')
    assert.equal(row.worker, 'w')
    assert.ok(row.heartbeatAt && row.startedAt)
    assert.deepEqual(await store.trials.tally(e.id), { total: 3, Pending: 0, Running: 3, Failed: 0, MetricsUnavailable: 0 })
    await store.experiments.transition(e.id, ['Running'], { state: 'Succeeded' })
    assert.equal((await claim(e.id)).outcome, 'completed')
    assert.equal((await claim(e.id, { key: 'a' })).outcome, 'existing')
  })

  test('a stale Running trial is re-offered with restarts + 1; heartbeat and transitionAttempt check the attempt', async () => {
    const { e, trials } = await experimentWith(1)
    const id = trials[0]!.id
    assert.equal((await claim(e.id, { key: 'old' })).outcome, 'claimed')
    assert.equal(await store.trials.heartbeat(id, 0), true)
    const again = await claim(e.id, { key: 'new', staleSeconds: 0 })
    assert.equal(again.outcome, 'reoffered')
    assert.equal(again.outcome === 'reoffered' && again.trial.restarts, 1)
    assert.equal((await claim(e.id, { key: 'old' })).outcome, 'empty')
    assert.equal(await store.trials.heartbeat(id, 0), false)
    assert.equal(await store.trials.heartbeat(id, 1), true)
    assert.equal(await store.trials.transitionAttempt(id, 0, ['Running'], 'Succeeded', { objective: 1 }), undefined)
    const done = await store.trials.transitionAttempt(id, 1, ['Running'], 'Succeeded', { objective: 1 })
    assert.equal(done?.state, 'Succeeded')
    assert.equal(done?.objective, 1)
    assert.equal(await store.trials.heartbeat(id), false)
    assert.deepEqual(await store.trials.tally(e.id), { total: 1, Pending: 0, Running: 0, Failed: 0, MetricsUnavailable: 0 })
  })

  test('findByNames summarises the points per metric; finishAttempt writes points and event only when it applies', async () => {
    const { e, trials } = await experimentWith(1)
    const trial = trials[0]!
    const at = new Date()
    await store.observations.append(trial.id, [
      { name: 'loss', step: 0, value: 0.5, at }, { name: 'loss', step: 3, value: Number.NaN, at }, { name: 'loss', step: 2, value: 0.2, at },
      { name: 'loss', step: 1, value: 0.9, at }, { name: 'acc', step: 4, value: Number.POSITIVE_INFINITY, at },
    ])
    const found = await store.trials.findByNames(e.name, trial.name, { points: true })
    assert.equal(found.experiment?.id, e.id)
    assert.equal(found.trial?.id, trial.id)
    assert.deepEqual(found.points, { acc: { lastStep: 4 }, loss: { lastStep: 3, finite: { min: 0.2, max: 0.9, latest: 0.2, count: 3 } } })
    assert.deepEqual(Object.keys(await store.trials.findByNames(e.name, 'nope')), ['experiment'])
    assert.deepEqual(await store.trials.findByNames('nope', trial.name), {})
    const effects = { points: [{ name: 'loss', step: 4, value: 0.1, at }, { name: 'loss', step: 4, value: 0.3, at }], event: { type: 'trial:state-changed', payload: { state: 'Succeeded' } } }
    assert.equal(await store.trials.finishAttempt(trial.id, 0, ['Running'], 'Succeeded', { objective: 0.3 }, effects), undefined)
    assert.equal((await store.observations.list(trial.id)).length, 5)
    assert.equal((await claim(e.id)).outcome, 'claimed')
    const done = await store.trials.finishAttempt(trial.id, 0, ['Running'], 'Succeeded', { objective: 0.3 }, effects)
    assert.equal(done?.state, 'Succeeded')
    assert.deepEqual((await store.observations.list(trial.id, ['loss'])).map((p) => [p.step, p.value]), [[0, 0.5], [1, 0.9], [2, 0.2], [3, Number.NaN], [4, 0.3]])
    assert.deepEqual((await store.events.list(e.id)).map((x) => [x.type, x.payload]).slice(-2), [['trial:state-changed', { state: 'Running' }], ['trial:state-changed', { state: 'Succeeded' }]])
  })

  test('concurrent claims with one key take one trial', async () => {
    const { e } = await experimentWith(5)
    const results = await Promise.all(Array.from({ length: 6 }, () => claim(e.id, { key: 'same' })))
    const ids = new Set(results.map((r) => ('trial' in r ? r.trial.id : r.outcome)))
    assert.equal(ids.size, 1)
    assert.equal((await store.trials.tally(e.id)).Running, 1)
  })
})
