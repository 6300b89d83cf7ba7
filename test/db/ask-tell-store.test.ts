import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { ClaimLimits, ClaimRequest, FinishedAttempt, NamedWorkerClaim, Store } from '../../db/store.ts'
import { openTestStore } from '../helpers/test-store.ts'
import { opaqueSpec } from '../helpers/opaque-spec.ts'

let store: Store
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store?.destroy()
})

async function experimentWith(pending: number, parallelTrialCount = 10) {
  const e = await store.experiments.create({ name: `ask-${randomUUID().slice(0, 8)}`, spec: opaqueSpec({ spec: { parallelTrialCount } }), seed: 1 })
  await store.experiments.transition(e.id, ['Created'], { state: 'Running' })
  const trials = await store.trials.createMany(e.id, Array.from({ length: pending }, (_, i) => ({ name: `${e.name}-${i}`, params: { x: i } })))
  return { e, trials }
}

const limits = (staleSeconds = 300): ClaimLimits => ({ defaultMaxRunning: 10, staleSeconds })
const ask = (key?: string): ClaimRequest => ({ ...(key !== undefined ? { idempotencyKey: key } : {}), worker: 'w' })
const claimOne = async (name: string, key?: string, staleSeconds?: number) => (await store.trials.claimByName(name, [ask(key)], limits(staleSeconds)))[0]!
const setParallel = (id: string, parallelTrialCount: number) => store.experiments.update(id, { spec: opaqueSpec({ spec: { parallelTrialCount } }) })
const trialOf = (c: NamedWorkerClaim) => ('trial' in c ? c.trial.id : c.outcome)

const finishing = (id: string, o: Partial<FinishedAttempt> = {}): FinishedAttempt => ({
  id, state: 'Succeeded', objective: 0.3, metrics: null, reason: 'TrialSucceeded', message: null, finishedAt: new Date(), points: [],
  event: { type: 'trial:state-changed', payload: { state: 'Succeeded' } }, ...o,
})

describe('ask/tell store methods', () => {
  test('claimByName takes Pending trials in number order, honours the key and parallelTrialCount', async () => {
    const { e, trials } = await experimentWith(3, 2)
    const first = await claimOne(e.name, 'a')
    assert.equal(first.outcome, 'claimed')
    assert.equal(trialOf(first), trials[0]!.id)
    assert.equal(first.outcome === 'claimed' && first.pending, 2)
    assert.equal(first.outcome === 'claimed' && first.maxRunning, 2)
    const same = await claimOne(e.name, 'a')
    assert.equal(same.outcome, 'existing')
    assert.deepEqual(same.outcome === 'existing' && same.trial, first.outcome === 'claimed' && first.trial)
    assert.equal((await claimOne(e.name)).outcome, 'claimed')
    assert.equal((await claimOne(e.name)).outcome, 'busy')
    await setParallel(e.id, 3)
    assert.equal((await claimOne(e.name)).outcome, 'claimed')
    await setParallel(e.id, 9)
    assert.equal((await claimOne(e.name)).outcome, 'empty')
    const row = (await store.trials.get(trials[0]!.id))!
    assert.equal(row.state, 'Running')
    assert.equal(row.idempotencyKey, 'a')
    assert.equal(row.worker, 'w')
    assert.ok(row.heartbeatAt && row.startedAt)
    assert.deepEqual(await store.trials.tally(e.id), { total: 3, Pending: 0, Running: 3, Failed: 0, MetricsUnavailable: 0 })
    await store.experiments.transition(e.id, ['Running'], { state: 'Succeeded' })
    assert.equal((await claimOne(e.name)).outcome, 'completed')
    assert.equal((await claimOne(e.name, 'a')).outcome, 'existing')
    assert.deepEqual(await store.trials.claimByName('nope', [ask(), ask('k')], limits()), [{ outcome: 'not-found' }, { outcome: 'not-found' }])
  })

  test('a batch answers in order: held keys, then stale trials, then Pending ones; the rest busy or empty', async () => {
    const { e, trials } = await experimentWith(6, 4)
    assert.equal((await claimOne(e.name, 'held')).outcome, 'claimed')
    assert.equal((await claimOne(e.name, 'gone')).outcome, 'claimed')
    // 'gone' falls silent: with a timeout of 0 both Running trials are stale, but 'held' asks again.
    const batch = await store.trials.claimByName(e.name, [ask('n1'), ask('held'), ask('n2'), ask('n3'), ask('n4')], limits(0))
    assert.deepEqual(batch.map((c) => c.outcome), ['reoffered', 'existing', 'reoffered', 'claimed', 'claimed'])
    assert.equal(trialOf(batch[1]!), trials[0]!.id)
    assert.deepEqual(new Set([trialOf(batch[0]!), trialOf(batch[2]!)]), new Set([trials[0]!.id, trials[1]!.id]))
    assert.deepEqual([trialOf(batch[3]!), trialOf(batch[4]!)], [trials[2]!.id, trials[3]!.id])
    assert.equal(batch[4]!.outcome === 'claimed' && batch[4]!.pending, 2)
    assert.deepEqual((await store.trials.claimByName(e.name, [ask(), ask()], limits())).map((c) => c.outcome), ['busy', 'busy'])
    await setParallel(e.id, 10)
    assert.deepEqual((await store.trials.claimByName(e.name, [ask(), ask(), ask()], limits())).map((c) => c.outcome), ['claimed', 'claimed', 'empty'])
    assert.deepEqual(await store.trials.tally(e.id), { total: 6, Pending: 0, Running: 6, Failed: 0, MetricsUnavailable: 0 })
    const events = (await store.events.list(e.id)).map((x) => x.type)
    assert.equal(events.filter((t) => t === 'trial:restarted').length, 2)
    assert.equal(events.filter((t) => t === 'trial:state-changed').length, 6)
  })

  test('a stale Running trial is re-offered with restarts + 1 and loses its points; heartbeat and transitionAttempt check the attempt', async () => {
    const { e, trials } = await experimentWith(1)
    const id = trials[0]!.id
    assert.equal((await claimOne(e.name, 'old')).outcome, 'claimed')
    await store.observations.append(id, [{ name: 'loss', step: 0, value: 1, at: new Date() }])
    assert.equal(await store.trials.heartbeat(id, 0), true)
    const again = await claimOne(e.name, 'new', 0)
    assert.equal(again.outcome, 'reoffered')
    assert.equal(again.outcome === 'reoffered' && again.trial.restarts, 1)
    assert.deepEqual(await store.observations.list(id), [])
    assert.equal((await claimOne(e.name, 'old')).outcome, 'empty')
    assert.equal(await store.trials.heartbeat(id, 0), false)
    assert.equal(await store.trials.heartbeat(id, 1), true)
    assert.equal(await store.trials.transitionAttempt(id, 0, ['Running'], 'Succeeded', { objective: 1 }), undefined)
    const done = await store.trials.transitionAttempt(id, 1, ['Running'], 'Succeeded', { objective: 1 })
    assert.equal(done?.state, 'Succeeded')
    assert.equal(done?.objective, 1)
    assert.equal(await store.trials.heartbeat(id), false)
    assert.deepEqual(await store.trials.tally(e.id), { total: 1, Pending: 0, Running: 0, Failed: 0, MetricsUnavailable: 0 })
  })

  test('findByNames answers each lookup in order and summarises the points per metric', async () => {
    const { e, trials } = await experimentWith(2)
    const trial = trials[0]!
    const at = new Date()
    await store.observations.append(trial.id, [
      { name: 'loss', step: 0, value: 0.5, at }, { name: 'loss', step: 3, value: Number.NaN, at }, { name: 'loss', step: 2, value: 0.2, at },
      { name: 'loss', step: 1, value: 0.9, at }, { name: 'acc', step: 4, value: Number.POSITIVE_INFINITY, at },
    ])
    const lookups = [
      { experimentName: e.name, trialName: trial.name }, { experimentName: e.name, trialName: 'nope' },
      { experimentName: 'nope', trialName: trial.name }, { experimentName: e.name, trialName: trials[1]!.name },
    ]
    const [found, noTrial, noExperiment, second] = await store.trials.findByNames(lookups, { points: true })
    assert.equal(found!.experiment?.id, e.id)
    assert.equal(found!.trial?.id, trial.id)
    assert.deepEqual(found!.points, { acc: { lastStep: 4 }, loss: { lastStep: 3, finite: { min: 0.2, max: 0.9, latest: 0.2, count: 3 } } })
    assert.deepEqual(found!.progress, { total: 2, suggestionExhausted: false })
    assert.deepEqual(Object.keys(noTrial!), ['experiment'])
    assert.deepEqual(noExperiment, {})
    assert.equal(second!.trial?.id, trials[1]!.id)
    assert.deepEqual(second!.points, {})
    // The experiment is read once and shared, spec included.
    assert.equal(second!.experiment, found!.experiment)
    assert.deepEqual(found!.experiment!.spec, { spec: { parallelTrialCount: 10 } })
    const [plain] = await store.trials.findByNames([lookups[0]!])
    assert.equal(plain!.trial?.id, trial.id)
    assert.equal(plain!.points, undefined)
    assert.deepEqual(await store.trials.findByNames([]), [])
  })

  test('finishAttempts finishes each Running attempt that matches, with its points and event, and nothing else', async () => {
    const { e, trials } = await experimentWith(4)
    const [a, b, c, d] = trials.map((t) => t.id) as [string, string, string, string]
    const at = new Date()
    await store.observations.append(a, [{ name: 'loss', step: 0, value: 0.5, at }])
    const point = (step: number, value: number) => ({ name: 'loss', step, value, at })
    // Nothing is Running yet: nothing applies.
    assert.deepEqual(await store.trials.finishAttempts([finishing(a, { points: [point(1, 0.4)] })]), [undefined])
    assert.equal((await store.observations.list(a)).length, 1)
    for (const key of ['a', 'b', 'c', 'd']) assert.equal((await claimOne(e.name, key)).outcome, 'claimed')
    const done = await store.trials.finishAttempts([
      finishing(a, { restarts: 0, points: [point(1, 0.1), point(1, 0.3), point(2, Number.NaN)], objective: 0.3, metrics: { loss: { min: 0.3, max: 0.5, latest: 0.3 } } }),
      finishing(b, { restarts: 1, points: [point(0, 9)] }),
      finishing(c, { state: 'Failed', objective: null, reason: 'WorkerFailed', message: 'oom', points: [point(0, 7)] }),
      finishing(d, { points: [point(0, 1)], objective: 1 }),
      finishing(d, { points: [point(5, 2)], objective: 2 }),
    ])
    assert.deepEqual(done.slice(0, 3).map((t) => t?.state), ['Succeeded', undefined, 'Failed'])
    // Of two attempts on one trial, exactly one finished, and only its points were stored.
    assert.equal(done.slice(3).filter((t) => t !== undefined).length, 1)
    const winner = done[3] ? 0 : 5
    assert.deepEqual((await store.observations.list(d)).map((p) => p.step), [winner])
    assert.equal((await store.trials.get(d))!.objective, done[3] ? 1 : 2)
    assert.deepEqual((await store.observations.list(a, ['loss'])).map((p) => [p.step, p.value]), [[0, 0.5], [1, 0.3], [2, Number.NaN]])
    assert.deepEqual((await store.trials.get(a))!.metrics, { loss: { min: 0.3, max: 0.5, latest: 0.3 } })
    assert.deepEqual(await store.observations.list(b), [])
    assert.equal((await store.trials.get(b))!.state, 'Running')
    const failed = (await store.trials.get(c))!
    assert.deepEqual([failed.state, failed.objective, failed.reason, failed.message], ['Failed', null, 'WorkerFailed', 'oom'])
    const finishedEvents = (await store.events.list(e.id)).filter((x) => x.type === 'trial:state-changed' && (x.payload as { state: string }).state !== 'Running')
    assert.deepEqual(finishedEvents.map((x) => x.trialId).sort(), [a, c, d].sort())
  })

  test('concurrent claims with one key take one trial', async () => {
    const { e } = await experimentWith(5)
    const results = await Promise.all(Array.from({ length: 6 }, () => claimOne(e.name, 'same')))
    assert.equal(new Set(results.map(trialOf)).size, 1)
    assert.equal((await store.trials.tally(e.id)).Running, 1)
  })
})
