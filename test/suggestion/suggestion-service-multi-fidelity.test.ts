/** What SuggestionService hands multi-fidelity algorithms and what it keeps of their answers. */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Experiment } from '../../core/spec/index.ts'
import type { Store } from '../../db/store.ts'
import type { AskRequest } from '../../suggestion/ask-algorithm.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { SuggestionWorkerPool } from '../../suggestion/suggestion-worker-pool.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { openTestStore } from '../helpers/test-store.ts'

let store: Store
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store.destroy()
})

async function finish(experimentId: string, objective: (number: number) => number): Promise<void> {
  for (const trial of await store.trials.list(experimentId, { states: ['Pending'] })) {
    await store.trials.transition(trial.id, ['Pending'], 'Succeeded', { objective: objective(trial.number), finishedAt: new Date() })
  }
}

describe('SuggestionService for multi-fidelity', () => {
  it('fills intermediate values (ascending steps, one query) only when an early-stopping rule or the algorithm reads them', async () => {
    for (const withRule of [true, false]) {
      const experiment: Experiment = quadraticExperiment({
        // tpe reads the history (random is asked without it); it reads curves of stopped trials only.
        name: `sv-intermediate-${withRule}`, max: 10, algorithm: 'tpe', settings: {},
        ...(withRule ? { extraSpec: '  earlyStopping:\n    algorithmName: medianstop' } : {}),
      })
      const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 1 })
      const seen: AskRequest[] = []
      const service = new SuggestionService(store, async (request) => {
        seen.push(request)
        return askAlgorithm(request)
      })
      const [first] = (await service.ensureTrials(record.id, 1)).created
      await store.observations.append(first!.id, [2, 0, 1].map((step) => ({ name: 'loss', step, value: 10 - step, at: new Date() })))
      await store.observations.append(first!.id, [{ name: 'accuracy', step: 0, value: 0.5, at: new Date() }])
      await service.ensureTrials(record.id, 2)
      assert.equal(seen[1]!.trials.length, 1)
      const snapshot = seen[1]!.trials[0]!
      if (withRule) assert.deepEqual(snapshot.intermediate, [{ step: 0, value: 10 }, { step: 1, value: 9 }, { step: 2, value: 8 }])
      else assert.equal(snapshot.intermediate, undefined)
    }
  })

  it('stores hyperband\'s parents through the worker pool as parent and generation', async () => {
    const experiment = quadraticExperiment({
      name: 'sv-lineage', algorithm: 'hyperband', max: 20,
      settings: { r_l: '4', eta: '2', resource_name: 'epochs', random_state: '1' },
      parameters: `    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: y, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: epochs, parameterType: int, feasibleSpace: {min: "1", max: "4"}}`,
      command: ['node', 'train.mjs', '--x=${trialParameters.x}', '--y=${trialParameters.y}', '--epochs=${trialParameters.epochs}'],
    })
    const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 1 })
    const pool = new SuggestionWorkerPool()
    try {
      const service = new SuggestionService(store, pool.ask)
      const rung0 = (await service.ensureTrials(record.id, 4)).created
      assert.ok(rung0.every((t) => t.parentTrialName === null && t.generation === 0))
      await finish(record.id, (n) => n)
      const promoted = (await service.ensureTrials(record.id, 6)).created
      assert.deepEqual(promoted.map((t) => t.parentTrialName), [rung0[0]!.name, rung0[1]!.name])
      assert.deepEqual(promoted.map((t) => t.generation), [1, 1])
      assert.deepEqual(promoted.map((t) => t.params.x), [rung0[0]!.params.x, rung0[1]!.params.x])
      await finish(record.id, (n) => n)
      const [top] = (await service.ensureTrials(record.id, 7)).created
      assert.equal(top!.parentTrialName, promoted[0]!.name)
      assert.equal(top!.generation, 2)
      assert.equal((await store.trials.get(top!.id))!.parentTrialName, promoted[0]!.name)
    } finally {
      await pool.close()
    }
  })
})
