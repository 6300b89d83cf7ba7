/**
 * A string objective (a DARTS genotype) through the pure rules: when its trial succeeds, which
 * trial is best, and how Katib's objects show it.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { toTrialObject } from '../../api/kube/trial-object.ts'
import { katibStatus } from '../../core/katib/katib-status.ts'
import { parseExperimentYaml } from '../../core/spec/index.ts'
import { TRIAL_STATES, type TrialState } from '../../core/trial.ts'
import type { ExperimentRecord, TrialRecord } from '../../db/store.ts'
import { bestTrial } from '../../lifecycle/best-trial.ts'
import { decideTrialOutcome } from '../../lifecycle/trial-outcome.ts'

const GENOTYPE = "Genotype(normal=[[('max_pooling_3x3',0)]],normal_concat=range(2,3),reduce=[[('max_pooling_3x3',0)]],reduce_concat=range(2,3))"
const clean = { garbageCount: 1, garbageExample: `Best-Genotype=${GENOTYPE}`, nonFiniteOnly: [] }
const objective = { metric: 'Best-Genotype', strategy: 'max' as const, collector: 'StdOut' }
const trial = (number: number, state: TrialState, objective: number | null, text?: string) =>
  ({ id: `t${number}`, name: `x-${number}`, number, state, objective, params: {}, metrics: {}, ...(text !== undefined ? { textMetrics: { 'Best-Genotype': text } } : {}) }) as unknown as TrialRecord

describe('a string objective', () => {
  test('succeeds where the algorithm takes text (darts), with a null numeric objective', () => {
    const outcome = decideTrialOutcome({ phase: 'succeeded' }, {}, { ...objective, text: true }, clean, { 'Best-Genotype': GENOTYPE })
    assert.deepEqual(outcome, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'trial succeeded', objective: null })
  })

  test('is missing elsewhere, and the message says it came as text', () => {
    const outcome = decideTrialOutcome({ phase: 'succeeded' }, {}, objective, clean, { 'Best-Genotype': GENOTYPE })
    assert.equal(outcome.state, 'MetricsUnavailable')
    assert.match(outcome.message, /^objective metric "Best-Genotype" was reported only as text \(latest "Genotype\(normal=/)
    // A text of another metric changes nothing.
    const other = decideTrialOutcome({ phase: 'succeeded' }, {}, { ...objective, text: true }, clean, { genotype: GENOTYPE })
    assert.equal(other.state, 'MetricsUnavailable')
    assert.match(other.message, /was never reported/)
  })

  test('a number still wins: a numeric summary of the objective is used as before', () => {
    const outcome = decideTrialOutcome({ phase: 'succeeded' }, { 'Best-Genotype': { min: 1, max: 2, latest: 2 } }, { ...objective, text: true }, clean, {})
    assert.equal(outcome.objective, 2)
  })

  test('best trial: the latest succeeded trial whose objective is text; a numeric objective wins over text', () => {
    const trials = [trial(0, 'Succeeded', null, 'A'), trial(1, 'Succeeded', null, 'B'), trial(2, 'Failed', null, 'C'), trial(3, 'Succeeded', null)]
    assert.equal(bestTrial(trials, 'maximize', 'Best-Genotype')?.id, 't1')
    assert.equal(bestTrial(trials, 'maximize'), undefined, 'without the metric name, as before')
    assert.equal(bestTrial([...trials, trial(4, 'Succeeded', 0.5)], 'maximize', 'Best-Genotype')?.id, 't4')
  })

  const parsed = parseExperimentYaml(`apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: darts-x}
spec:
  maxTrialCount: 1
  parallelTrialCount: 1
  objective: {type: maximize, objectiveMetricName: Best-Genotype}
  algorithm: {algorithmName: darts}
  nasConfig:
    graphConfig: {numLayers: 1}
    operations:
      - operationType: max_pooling
        parameters: [{name: filter_size, parameterType: categorical, feasibleSpace: {list: ["3"]}}]
  trialTemplate:
    primaryContainerName: main
    trialParameters: [{name: s, reference: search-space}]
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec: {template: {spec: {containers: [{name: main, image: x, command: [echo, "\${trialParameters.s}"]}], restartPolicy: Never}}}
`)
  assert.ok(parsed.experiment, JSON.stringify(parsed.issues))
  const created = new Date('2026-12-07T10:00:00Z')
  const experiment = { id: 'e1', name: 'darts-x', spec: parsed.experiment, state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', message: null, seed: 1, bestTrialId: 't0', createdAt: created, startedAt: created, completedAt: created } as ExperimentRecord
  const best = { ...trial(0, 'Succeeded', null, GENOTYPE), createdAt: created, startedAt: created, finishedAt: created, reason: 'TrialSucceeded', message: 'trial succeeded' } as TrialRecord

  test('Katib\'s objects: latest is the text, min and max unavailable, as Katib\'s getMetrics leaves them', () => {
    const object = toTrialObject(experiment, best, undefined)
    assert.deepEqual(object.status.observation?.metrics, [{ name: 'Best-Genotype', min: 'unavailable', max: 'unavailable', latest: GENOTYPE }])
    const zero = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>
    const status = katibStatus({ experiment, counts: { ...zero, Succeeded: 1 }, names: { Succeeded: [best.name] }, best, now: created })
    assert.deepEqual(status.currentOptimalTrial?.observation?.metrics, [{ name: 'Best-Genotype', min: 'unavailable', max: 'unavailable', latest: GENOTYPE }])
  })
})
