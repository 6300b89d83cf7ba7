/**
 * What a multi-objective experiment's algorithm is asked with: every objective's direction, the
 * constraint count, and each succeeded trial's objective vector and violations.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { parseExperimentYaml } from '../../core/spec/index.ts'
import type { Store } from '../../db/store.ts'
import { askAlgorithm, type AskRequest } from '../../suggestion/ask-algorithm.ts'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { openTestStore } from '../helpers/test-store.ts'

let store: Store
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store.destroy()
})

const yaml = (name: string) => `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: ${name}}
spec:
  objective:
    type: maximize
    objectiveMetricName: accuracy
    objectives: [{metric: size_kb, direction: Minimize}]
    constraints: ["latency_ms <= 50"]
  algorithm: {algorithmName: random}
  parallelTrialCount: 2
  maxTrialCount: 10
  parameters:
    # Finite, so random reads the history (to avoid repeats) and the trials reach it.
    - {name: x, parameterType: int, feasibleSpace: {min: "0", max: "99"}}
`

test('the algorithm gets directions, constraintCount and each succeeded trial\'s values and violations', async () => {
  const experiment = parseExperimentYaml(yaml(`sv-mo-${Date.now().toString(36)}`)).experiment!
  const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 3 })
  const asked: AskRequest[] = []
  const service = new SuggestionService(store, async (request) => {
    asked.push(request)
    return askAlgorithm(request)
  })
  await service.ensureTrials(record.id, 3)
  const [a, b, c] = await store.trials.list(record.id)
  const summary = (v: number) => ({ min: v, max: v, latest: v })
  await store.trials.transition(a!.id, ['Pending'], 'Succeeded', { objective: 0.9, metrics: { accuracy: summary(0.9), size_kb: summary(300), latency_ms: summary(70) } })
  // No size reported: no vector, and a missing constraint metric is broken without bound.
  await store.trials.transition(b!.id, ['Pending'], 'Succeeded', { objective: 0.8, metrics: { accuracy: summary(0.8) } })
  await store.trials.transition(c!.id, ['Pending'], 'Failed', { metrics: { accuracy: summary(0.1), size_kb: summary(1), latency_ms: summary(1) } })
  await service.ensureTrials(record.id, 4)
  const last = asked.at(-1)!
  assert.deepEqual(last.directions, ['maximize', 'minimize'])
  assert.equal(last.direction, 'maximize')
  assert.equal(last.constraintCount, 1)
  const byName = new Map(last.trials.map((t) => [t.name, t]))
  assert.deepEqual(byName.get(a!.name)!.values, [0.9, 300])
  assert.deepEqual(byName.get(a!.name)!.constraints, [20])
  assert.equal(byName.get(b!.name)!.values, undefined)
  assert.deepEqual(byName.get(b!.name)!.constraints, [Infinity])
  assert.equal(byName.get(c!.name)!.values, undefined)
  assert.equal(byName.get(c!.name)!.constraints, undefined)
})
