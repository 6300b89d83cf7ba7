import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AskedTrialView } from '../../../api/schemas/ask-tell.ts'
import { ExperimentRunner } from '../../../controller/experiment-runner.ts'
import type { Store } from '../../../db/store.ts'
import { SuggestionService } from '../../../suggestion/suggestion-service.ts'
import { quadraticExperiment } from '../../helpers/experiment-yaml.ts'
import { FakeExecutor, type TrialScript } from '../../helpers/fake-executor.ts'
import { quadraticScript } from '../../helpers/fake-trials.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../../helpers/test-app.ts'

let t: TestApp
before(async () => {
  t = await openTestApp()
})
after(async () => {
  await t?.close()
})

/**
 * The store with one trial (by number) never started by the runner (it starts its Pending trials
 * in one transitionMany to Running: this one is left out), so that it is still Pending when the
 * experiment completes, as it can be for an ask/tell one.
 */
function holdingBack(store: Store, number: number): Store {
  const trials = new Proxy(store.trials, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name)
      if (name !== 'transitionMany') return typeof value === 'function' ? value.bind(target) : value
      return async (ids: readonly string[], ...rest: Parameters<Store['trials']['transitionMany']> extends [unknown, ...infer R] ? R : never) => {
        const [, to] = rest
        const kept = to !== 'Running' ? ids : (await Promise.all(ids.map(async (id) => ((await target.get(id))?.number === number ? undefined : id)))).filter((id) => id !== undefined)
        return target.transitionMany(kept, ...rest)
      }
    },
  })
  return new Proxy(store, {
    get(target, name) {
      if (name === 'trials') return trials
      const value: unknown = Reflect.get(target, name)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/**
 * How an experiment ended, the same for both drivers of the lifecycle: the goal reached by the
 * one Succeeded trial (the best), every other trial Killed by the completion with its event, and
 * the completion's own event last.
 */
async function assertCompletedByGoal(store: Store, experimentId: string): Promise<void> {
  const experiment = (await store.experiments.get(experimentId))!
  assert.equal(experiment.state, 'Succeeded')
  assert.equal(experiment.reason, 'ExperimentGoalReached')
  const trials = await store.trials.list(experimentId)
  const succeeded = trials.filter((x) => x.state === 'Succeeded')
  const killed = trials.filter((x) => x.state === 'Killed')
  assert.equal(succeeded.length, 1)
  assert.ok(killed.length >= 2, `${killed.length} trials killed`)
  assert.equal(succeeded.length + killed.length, trials.length, 'nothing left Pending or Running')
  assert.equal(experiment.bestTrialId, succeeded[0]!.id)
  for (const trial of killed) {
    assert.equal(trial.reason, 'TrialKilled')
    assert.equal(trial.message, 'stopped because the experiment completed')
    assert.ok(trial.finishedAt)
  }
  const events = await store.events.list(experimentId)
  const last = events.at(-1)!
  assert.deepEqual({ type: last.type, payload: last.payload }, { type: 'experiment:state-changed', payload: { state: 'Succeeded', reason: 'ExperimentGoalReached' } })
  assert.equal(events.filter((x) => x.type === 'experiment:state-changed' && x.payload.state === 'Succeeded').length, 1)
  for (const trial of killed) {
    const own = events.filter((x) => x.trialId === trial.id && x.type === 'trial:state-changed' && x.payload.state === 'Killed')
    assert.equal(own.length, 1, `${trial.name}: one Killed event`)
    assert.equal(own[0]!.type === 'trial:state-changed' && own[0]!.payload.reason, 'TrialKilled')
  }
  assert.ok(events.some((x) => x.type === 'experiment:new-best' && x.trialId === succeeded[0]!.id))
}

describe('the runner and ask/tell complete an experiment alike (one lifecycle)', () => {
  test('local trials: the goal is reached while others run or wait; they are stopped and Killed with their events, keeping their observations', async () => {
    const name = uniqueName('agree-local')
    const spec = quadraticExperiment({ name, max: 6, parallel: 3, goal: 10 })
    const record = await t.store.experiments.create({ name, spec, seed: 3 })
    // The first trial finishes (its loss is under 10, the goal); the others report once and run until stopped.
    let first = true
    const script: TrialScript = async (trial) => {
      if (first) {
        first = false
        await trial.sleep(10)
        return quadraticScript(trial)
      }
      trial.print('step 1: loss=0.9 accuracy=0.1')
      await trial.stopped
    }
    const executor = new FakeExecutor(script)
    const home = mkdtempSync(join(tmpdir(), 'tunewell-agree-'))
    const runner = new ExperimentRunner({
      store: holdingBack(t.store, 2),
      suggestions: new SuggestionService(t.store),
      executor,
      clock: executor.clock,
      launch: { baseDir: home, runDir: join(home, 'runs'), env: {} },
      pollMs: 50,
    })
    await runner.run(record.id)
    await assertCompletedByGoal(t.store, record.id)
    const trials = await t.store.trials.list(record.id)
    assert.equal(trials.find((x) => x.number === 2)?.startedAt, null, 'the held-back trial never started')
    // Their processes stopped by the completion, the killed trials that ran keep what they reported.
    const ran = trials.filter((x) => x.state === 'Killed' && x.number !== 2)
    assert.equal(ran.length, 1)
    for (const trial of ran) {
      assert.equal(trial.objective, 0.9)
      assert.deepEqual(trial.metrics?.loss, { min: 0.9, max: 0.9, latest: 0.9 })
    }
  })

  test('ask/tell: the goal told while others run or wait; they are Killed with their events', async () => {
    const name = uniqueName('agree-ask')
    const yaml = experimentYaml(name, { template: false, max: 6, parallel: 3 }).replace('    objectiveMetricName: loss\n', '    objectiveMetricName: loss\n    goal: 10\n')
    assert.equal((await postYaml(t.app, yaml)).statusCode, 201)
    const asked: AskedTrialView[] = []
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials:ask`, payload: {} })
      assert.equal(res.statusCode, 200, res.body)
      asked.push(JSON.parse(res.body) as AskedTrialView)
    }
    const experiment = (await t.store.experiments.getByName(name))!
    assert.ok((await t.store.trials.countByState(experiment.id)).Pending > 0, 'trials wait, created ahead of the asks')
    const told = await t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials/${asked[0]!.name}:tell`, payload: { value: 0.5 } })
    assert.equal(told.statusCode, 200, told.body)
    await assertCompletedByGoal(t.store, experiment.id)
  })
})
