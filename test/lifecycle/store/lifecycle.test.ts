import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { InvalidSpecError } from '../../../core/errors.ts'
import type { Experiment } from '../../../core/spec/index.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../../../db/store.ts'
import { applySpecChange } from '../../../lifecycle/apply-spec-change.ts'
import { completeExperiment } from '../../../lifecycle/complete-experiment.ts'
import { earlyStopTrial } from '../../../lifecycle/early-stop-trial.ts'
import { finishTrial } from '../../../lifecycle/finish-trial.ts'
import { killTrial } from '../../../lifecycle/kill-trial.ts'
import { offerBestTrial } from '../../../lifecycle/offer-best-trial.ts'
import { resetTrial } from '../../../lifecycle/reset-trial.ts'
import { restartExperiment } from '../../../lifecycle/restart-experiment.ts'
import { startExperiment } from '../../../lifecycle/start-experiment.ts'
import { startTrial } from '../../../lifecycle/start-trial.ts'
import { isWithdrawn, PARALLELISM_LOWERED } from '../../../lifecycle/stop-excess-trials.ts'
import { countStates } from '../../../lifecycle/count-states.ts'
import { planExperiment, planInputFor } from '../../../lifecycle/plan.ts'
import { updateBestTrial } from '../../../lifecycle/update-best-trial.ts'
import { quadraticExperiment } from '../../helpers/experiment-yaml.ts'
import { openTestStore } from '../../helpers/test-store.ts'

let store: Store
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store?.destroy()
})

const specOf = (name: string, o: { max?: number; parallel?: number } = {}): Experiment =>
  quadraticExperiment({ name, max: o.max ?? 4, parallel: o.parallel ?? 2, extraSpec: '  resumePolicy: LongRunning' })

async function newExperiment(o: { max?: number; parallel?: number; trials?: number } = {}): Promise<{ e: ExperimentRecord; trials: TrialRecord[] }> {
  const name = `lc-${randomUUID().slice(0, 8)}`
  const e = await store.experiments.create({ name, spec: specOf(name, o), seed: 1 })
  const trials = await store.trials.createMany(e.id, Array.from({ length: o.trials ?? 0 }, (_, i) => ({ name: `${name}-t${i}`, params: { x: i / 10, y: 0.5 } })))
  return { e, trials }
}

const running = async (trial: TrialRecord) => assert.ok(await store.trials.transition(trial.id, ['Pending'], 'Running'))
const eventsOf = async (experimentId: string) => (await store.events.list(experimentId)).map(({ type, trialId, payload }) => ({ type, trialId, payload }))
const at = (trial: TrialRecord) => store.trials.get(trial.id).then((t) => t!)

/** The store, with every event append inside a transaction failing: as if the process died right there. */
function withFailingEvents(base: Store): Store {
  const broken = (tx: Store): Store => new Proxy(tx, {
    get(target, name) {
      if (name === 'events') {
        return new Proxy(target.events, {
          get(events, method) {
            if (method === 'append' || method === 'appendMany') return async () => { throw new Error('crashed before the event') }
            const value: unknown = Reflect.get(events, method)
            return typeof value === 'function' ? value.bind(events) : value
          },
        })
      }
      if (name === 'transaction') return <T>(work: (s: Store) => Promise<T>) => target.transaction((inner) => work(broken(inner)))
      const value: unknown = Reflect.get(target, name)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return broken(base)
}

describe('lifecycle on the store: each change with its event, in one transaction', () => {
  test('startExperiment: Created becomes Running with one event; a second start loses the compare-and-set and writes none', async () => {
    const { e } = await newExperiment()
    const started = await startExperiment(store, e, 'experiment is running')
    assert.equal(started?.state, 'Running')
    assert.ok(started?.startedAt)
    assert.equal(await startExperiment(store, e, 'experiment is running'), undefined)
    assert.deepEqual(await eventsOf(e.id), [{ type: 'experiment:state-changed', trialId: null, payload: { state: 'Running' } }])
  })

  test('completeExperiment kills Pending and Running trials with their events, then the completion event; a lost race writes nothing', async () => {
    const { e, trials: [done, live, waiting, queued] } = await newExperiment({ trials: 4 })
    await startExperiment(store, e, 'running')
    await running(done!)
    assert.ok(await finishTrial(store, done!, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'ok', objective: 1 }))
    await running(live!)
    const before = (await store.events.list(e.id)).length
    const completion = { state: 'Succeeded', reason: 'ExperimentGoalReached', message: 'goal reached' } as const
    const completed = await completeExperiment(store, e.id, completion)
    assert.equal(completed?.state, 'Succeeded')
    assert.equal(completed?.reason, 'ExperimentGoalReached')
    assert.ok(completed?.completedAt)
    assert.equal((await at(done!)).state, 'Succeeded')
    for (const t of [live!, waiting!, queued!]) {
      const now = await at(t)
      assert.equal(now.state, 'Killed')
      assert.equal(now.reason, 'TrialKilled')
      assert.equal(now.message, 'stopped because the experiment completed')
      assert.ok(now.finishedAt)
    }
    const after = (await eventsOf(e.id)).slice(before)
    assert.deepEqual(after, [
      ...[live!, waiting!, queued!].map((t) => ({ type: 'trial:state-changed', trialId: t.id, payload: { state: 'Killed', reason: 'TrialKilled' } })),
      { type: 'experiment:state-changed', trialId: null, payload: { state: 'Succeeded', reason: 'ExperimentGoalReached' } },
    ])
    // Completed already: theirs stands, nothing is written.
    assert.equal(await completeExperiment(store, e.id, { state: 'Failed', reason: 'ExperimentFailed', message: 'x' }), undefined)
    assert.equal((await store.experiments.get(e.id))?.reason, 'ExperimentGoalReached')
    assert.equal((await store.events.list(e.id)).length, before + 4)
  })

  test('a change whose event cannot be written does not happen: completion, trial start and finish roll back whole', async () => {
    const { e, trials: [a, b] } = await newExperiment({ trials: 2 })
    await startExperiment(store, e, 'running')
    await running(a!)
    const broken = withFailingEvents(store)
    const before = await eventsOf(e.id)
    await assert.rejects(completeExperiment(broken, e.id, { state: 'Succeeded', reason: 'ExperimentGoalReached', message: 'm' }), /crashed before the event/)
    assert.equal((await store.experiments.get(e.id))?.state, 'Running')
    assert.equal((await at(a!)).state, 'Running')
    assert.equal((await at(b!)).state, 'Pending')
    await assert.rejects(finishTrial(broken, a!, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'ok', objective: 2 }, { loss: { min: 2, max: 3, latest: 2 } }))
    assert.equal((await at(a!)).state, 'Running')
    assert.equal((await at(a!)).metrics, null)
    await assert.rejects(startTrial(broken, b!, { kind: 'fake' }))
    assert.equal((await at(b!)).state, 'Pending')
    await assert.rejects(applySpecChange(broken, e.id, specOf(e.name, { parallel: 3 }), 'start over'))
    assert.equal((await store.experiments.get(e.id))?.spec.spec.parallelTrialCount, 2)
    assert.deepEqual(await eventsOf(e.id), before)
  })

  test('finishTrial: outcome, metrics and event; a trial killed from outside stays Killed, keeps its observation, gets no second event', async () => {
    const { e, trials: [a, b] } = await newExperiment({ trials: 2 })
    await running(a!)
    await running(b!)
    const summary = { loss: { min: 0.2, max: 0.9, latest: 0.2 } }
    assert.ok(await finishTrial(store, a!, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'trial succeeded', objective: 0.2 }, summary))
    const finished = await at(a!)
    assert.equal(finished.state, 'Succeeded')
    assert.equal(finished.objective, 0.2)
    assert.deepEqual(finished.metrics, summary)
    assert.ok(await killTrial(store, b!, 'killed through the API'))
    assert.equal(await finishTrial(store, b!, { state: 'Killed', reason: 'TrialKilled', message: 'stopped', objective: 0.4 }, { loss: { min: 0.4, max: 0.5, latest: 0.4 } }), false)
    const killed = await at(b!)
    assert.equal(killed.state, 'Killed')
    assert.equal(killed.message, 'killed through the API')
    assert.equal(killed.objective, 0.4)
    assert.deepEqual(killed.metrics, { loss: { min: 0.4, max: 0.5, latest: 0.4 } })
    assert.deepEqual((await eventsOf(e.id)).filter((x) => x.type === 'trial:state-changed'), [
      { type: 'trial:state-changed', trialId: a!.id, payload: { state: 'Succeeded', reason: 'TrialSucceeded', objective: 0.2 } },
      { type: 'trial:state-changed', trialId: b!.id, payload: { state: 'Killed', reason: 'TrialKilled' } },
    ])
    assert.equal(await killTrial(store, b!, 'again'), false)
  })

  test('startTrial and resetTrial: compare-and-set with their events; a reset drops the points and counts the restart', async () => {
    const { e, trials: [a] } = await newExperiment({ trials: 1 })
    assert.ok(await startTrial(store, a!, { kind: 'fake', attempt: 0 }))
    assert.equal(await startTrial(store, a!, { kind: 'fake', attempt: 1 }), false)
    assert.deepEqual((await at(a!)).execution, { kind: 'fake', attempt: 0 })
    await store.observations.append(a!.id, [{ name: 'loss', step: 1, value: 0.5, at: new Date() }])
    const stale = await at(a!)
    assert.ok(await resetTrial(store, stale, 'relaunched'))
    const reset = await at(a!)
    assert.equal(reset.state, 'Pending')
    assert.equal(reset.restarts, 1)
    assert.equal(reset.execution, null)
    assert.deepEqual(await store.observations.list(a!.id), [])
    // Running again in a new attempt: a reset from the old read must not touch it.
    assert.ok(await startTrial(store, a!, { kind: 'fake', attempt: 2 }))
    await store.observations.append(a!.id, [{ name: 'loss', step: 1, value: 0.4, at: new Date() }])
    assert.equal(await resetTrial(store, stale, 'stale'), false)
    assert.equal((await at(a!)).state, 'Running')
    assert.equal((await store.observations.list(a!.id)).length, 1)
    assert.deepEqual((await eventsOf(e.id)).map((x) => [x.type, x.payload]), [
      ['trial:state-changed', { state: 'Running' }],
      ['trial:restarted', { restarts: 1 }],
      ['trial:state-changed', { state: 'Running' }],
    ])
  })

  test('earlyStopTrial: the objective by strategy over the stored points, the rule\'s reason, once', async () => {
    const { e, trials: [a] } = await newExperiment({ trials: 1 })
    await running(a!)
    await store.observations.append(a!.id, [0.9, 0.3, 0.6].map((value, step) => ({ name: 'loss', step, value, at: new Date() })))
    assert.ok(await earlyStopTrial(store, e.spec, a!, 'worse than the median'))
    assert.equal(await earlyStopTrial(store, e.spec, a!, 'again'), false)
    const stopped = await at(a!)
    assert.equal(stopped.state, 'EarlyStopped')
    assert.equal(stopped.objective, 0.3)
    assert.deepEqual(await eventsOf(e.id), [{
      type: 'trial:state-changed', trialId: a!.id,
      payload: { state: 'EarlyStopped', reason: 'TrialEarlyStopped', objective: 0.3, message: 'worse than the median' },
    }])
  })

  test('best trial: recomputed from the list, or offered by one trial under the lock; an event only for a new best', async () => {
    const { e, trials: [a, b] } = await newExperiment({ trials: 2 })
    for (const [t, objective] of [[a!, 0.5], [b!, 0.7]] as const) {
      await running(t)
      await finishTrial(store, t, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'ok', objective })
    }
    const first = await updateBestTrial(store, e, await store.trials.list(e.id))
    assert.equal(first.best?.id, a!.id)
    assert.equal(first.experiment.bestTrialId, a!.id)
    const again = await updateBestTrial(store, first.experiment, await store.trials.list(e.id))
    assert.equal(again.experiment, first.experiment, 'unchanged: nothing written')
    assert.equal(await offerBestTrial(store, e.id, b!.id, 0.7), false)
    assert.equal(await offerBestTrial(store, e.id, b!.id, 0.5), false, 'a tie keeps the earlier trial')
    assert.equal(await offerBestTrial(store, e.id, b!.id, 0.1), true)
    assert.equal((await store.experiments.get(e.id))?.bestTrialId, b!.id)
    assert.deepEqual((await eventsOf(e.id)).filter((x) => x.type === 'experiment:new-best'), [
      { type: 'experiment:new-best', trialId: a!.id, payload: { objective: 0.5 } },
      { type: 'experiment:new-best', trialId: b!.id, payload: { objective: 0.1 } },
    ])
  })

  test('best trial: of two equal objectives the earlier trial is the best, whichever ended first', async () => {
    const { e, trials: [a, b] } = await newExperiment({ trials: 2 })
    for (const t of [b!, a!]) {
      await running(t)
      await finishTrial(store, t, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'ok', objective: 0.4 })
      await offerBestTrial(store, e.id, t.id, 0.4)
    }
    assert.equal((await store.experiments.get(e.id))?.bestTrialId, a!.id, 'trial 0 ended last and is the best')
    assert.equal(await offerBestTrial(store, e.id, b!.id, 0.4), false)
    assert.equal((await updateBestTrial(store, (await store.experiments.get(e.id))!, await store.trials.list(e.id))).best?.id, a!.id, 'as the recomputation picks it')
  })

  test('applySpecChange: counts updated with experiment:updated, a completed experiment restarted with it and its state event, a refused change writes nothing', async () => {
    const { e } = await newExperiment({ max: 3, trials: 2 })
    assert.equal((await applySpecChange(store, e.id, specOf(e.name, { max: 3 }), 'start over')).change, 'unchanged')
    const updated = await applySpecChange(store, e.id, specOf(e.name, { max: 3, parallel: 1 }), 'start over')
    assert.equal(updated.change, 'update')
    assert.equal(updated.experiment.spec.spec.parallelTrialCount, 1)
    // Not an editable count, or a budget already spent: refused, nothing written.
    await assert.rejects(applySpecChange(store, e.id, { ...specOf(e.name), spec: { ...specOf(e.name, { max: 3, parallel: 1 }).spec, algorithm: { algorithmName: 'grid' } } }, 'start over'), InvalidSpecError)
    await assert.rejects(applySpecChange(store, e.id, specOf(e.name, { max: 2, parallel: 1 }), 'start over'), InvalidSpecError)
    assert.equal((await store.experiments.get(e.id))?.spec.spec.maxTrialCount, 3)
    await startExperiment(store, e, 'running')
    await completeExperiment(store, e.id, { state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', message: 'done' })
    const restarted = await applySpecChange(store, e.id, specOf(e.name, { max: 5, parallel: 1 }), 'start over')
    assert.equal(restarted.change, 'restart')
    assert.equal(restarted.experiment.state, 'Restarting')
    assert.equal(restarted.experiment.completedAt, null)
    assert.equal(restarted.experiment.spec.spec.maxTrialCount, 5)
    const events = (await eventsOf(e.id)).filter((x) => x.type.startsWith('experiment:'))
    assert.deepEqual(events.map((x) => [x.type, x.payload]), [
      ['experiment:updated', { spec: { parallelTrialCount: 1, maxTrialCount: 3 } }],
      ['experiment:state-changed', { state: 'Running' }],
      ['experiment:state-changed', { state: 'Succeeded', reason: 'ExperimentMaxTrialsReached' }],
      ['experiment:updated', { spec: { parallelTrialCount: 1, maxTrialCount: 5 } }],
      ['experiment:state-changed', { state: 'Restarting' }],
    ])
  })

  test('applySpecChange lowering parallelTrialCount stops the newest active trials with their events, counted for nothing (Katib deletes them)', async () => {
    const { e, trials } = await newExperiment({ max: 6, parallel: 4, trials: 5 })
    // t0 ended; t1..t3 run, t4 waits: four active, the newest t4 then t3.
    await running(trials[0]!)
    assert.ok(await finishTrial(store, trials[0]!, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'ok', objective: 1 }))
    for (const t of trials.slice(1, 4)) await running(t)
    const before = (await eventsOf(e.id)).length
    const lowered = await applySpecChange(store, e.id, specOf(e.name, { max: 6, parallel: 2 }), 'start over')
    assert.equal(lowered.change, 'update')
    assert.deepEqual(lowered.stopped.map((t) => t.name).sort(), [trials[3]!.name, trials[4]!.name].sort())
    const states = await Promise.all(trials.map(at))
    assert.deepEqual(states.map((t) => t.state), ['Succeeded', 'Running', 'Running', 'Killed', 'Killed'])
    for (const t of states.slice(3)) {
      assert.equal(t.reason, PARALLELISM_LOWERED)
      assert.match(t.message ?? '', /parallelTrialCount was lowered from 4 to 2/)
      assert.ok(t.finishedAt)
      assert.equal(isWithdrawn(t), true)
    }
    assert.equal(isWithdrawn(states[1]!), false)
    const events = (await eventsOf(e.id)).slice(before)
    assert.deepEqual(events.map((x) => [x.type, x.trialId ?? null]).sort(), [
      ['experiment:updated', null],
      ['trial:state-changed', trials[3]!.id],
      ['trial:state-changed', trials[4]!.id],
    ].sort())
    assert.deepEqual(events.filter((x) => x.type === 'trial:state-changed').map((x) => x.payload), [
      { state: 'Killed', reason: PARALLELISM_LOWERED }, { state: 'Killed', reason: PARALLELISM_LOWERED },
    ])
    // The plan counts as Katib would with the two deleted: 1 completed of 6, 2 active, room for none.
    const plan = planExperiment(planInputFor(lowered.experiment.spec, countStates(states.filter((t) => !isWithdrawn(t))), undefined, false))
    assert.deepEqual(plan, { kind: 'continue', add: 0 })
    // Raising it again stops nothing; lowering to what is active stops nothing either.
    assert.deepEqual((await applySpecChange(store, e.id, specOf(e.name, { max: 6, parallel: 3 }), 'start over')).stopped, [])
    assert.deepEqual((await applySpecChange(store, e.id, specOf(e.name, { max: 6, parallel: 2 }), 'start over')).stopped, [])
  })

  test('applySpecChange: trials of outside workers (no trialTemplate) are not stopped by a lower parallelTrialCount', async () => {
    const name = `lc-${randomUUID().slice(0, 8)}`
    const spec = (parallel: number): Experiment => {
      const base = specOf(name, { max: 6, parallel })
      const { trialTemplate: _, ...rest } = base.spec
      return { ...base, spec: rest }
    }
    const e = await store.experiments.create({ name, spec: spec(3), seed: 1 })
    const trials = await store.trials.createMany(e.id, [0, 1, 2].map((i) => ({ name: `${name}-t${i}`, params: { x: i / 10, y: 0.5 } })))
    for (const t of trials) await running(t)
    const lowered = await applySpecChange(store, e.id, spec(1), 'start over')
    assert.equal(lowered.change, 'update')
    assert.deepEqual(lowered.stopped, [])
    assert.deepEqual((await Promise.all(trials.map(at))).map((t) => t.state), ['Running', 'Running', 'Running'])
  })

  test('restartExperiment: only a completed experiment, with its event', async () => {
    const { e } = await newExperiment()
    assert.equal(await restartExperiment(store, e.id, 'again'), undefined)
    await completeExperiment(store, e.id, { state: 'Succeeded', reason: 'ExperimentStopped', message: 'stopped' })
    assert.equal((await restartExperiment(store, e.id, 'again'))?.state, 'Restarting')
    assert.deepEqual((await eventsOf(e.id)).map((x) => x.payload), [
      { state: 'Succeeded', reason: 'ExperimentStopped' },
      { state: 'Restarting' },
    ])
  })
})
