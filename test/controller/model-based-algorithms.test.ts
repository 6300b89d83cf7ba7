/**
 * Each optimiser, selected by its Katib name in Experiment YAML, runs trials in parallel to
 * completion through the runner `tunewell run` uses; the trials are the quadratic fixture's
 * script twin on the fake executor (test/helpers/fake-trials.ts).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ExperimentRunner } from '../../controller/experiment-runner.ts'
import type { Store } from '../../db/store.ts'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { openTestStore } from '../helpers/test-store.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { FakeExecutor } from '../helpers/fake-executor.ts'
import { quadraticScript } from '../helpers/fake-trials.ts'

let store: Store
const home = mkdtempSync(join(tmpdir(), 'tunewell-model-based-'))
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store.destroy()
})

const CASES: ReadonlyArray<{ algorithm: string; settings: Record<string, string> }> = [
  { algorithm: 'tpe', settings: { n_startup_trials: '3', random_state: '4' } },
  { algorithm: 'multivariate-tpe', settings: { n_startup_trials: '3', random_state: '4' } },
  { algorithm: 'bayesianoptimization', settings: { n_initial_points: '3', acq_func: 'EI', random_state: '4' } },
  { algorithm: 'cmaes', settings: { restart_strategy: 'ipop', random_state: '4' } },
]

describe('model-based algorithms from Experiment YAML', () => {
  for (const { algorithm, settings } of CASES) {
    test(`${algorithm} runs 8 trials, 2 at a time, without repeating a point`, async () => {
      const experiment = quadraticExperiment({
        name: `mb-${algorithm}`, algorithm, settings, max: 8, parallel: 2, flags: ['--steps=1'],
        parameters: `    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: y, parameterType: int, feasibleSpace: {min: "0", max: "4"}}`,
      })
      const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 4 })
      const executor = new FakeExecutor(quadraticScript)
      const runner = new ExperimentRunner({
        store,
        suggestions: new SuggestionService(store),
        executor,
        clock: executor.clock,
        launch: { baseDir: home, runDir: join(home, 'runs', record.name), env: {} },
        pollMs: 50,
      })
      const done = await runner.run(record.id)
      assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
      const trials = await store.trials.list(done.id)
      assert.equal(trials.length, 8)
      assert.ok(trials.every((t) => t.state === 'Succeeded' && Number.isFinite(t.objective)))
      assert.ok(trials.every((t) => Number.isInteger(t.params.y) && (t.params.y as number) >= 0 && (t.params.y as number) <= 4))
      assert.equal(new Set(trials.map((t) => JSON.stringify(t.params))).size, 8, 'no parameter set twice')
    })
  }
})
