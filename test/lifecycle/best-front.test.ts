/**
 * The best trial and the Pareto front of experiments with several objectives or constraints
 * (lifecycle/best-front.ts, best-trial.ts): feasibility, the front, currentOptimalTrial's choice,
 * the hypervolume at the default and at the spec's reference point.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ObjectiveSpec } from '../../core/spec/experiment-schema.ts'
import type { TrialState } from '../../core/trial.ts'
import type { TrialRecord } from '../../db/store.ts'
import { experimentFront, trialStanding } from '../../lifecycle/best-front.ts'
import { bestTrial } from '../../lifecycle/best-trial.ts'

const summary = (v: number) => ({ min: v, max: v, latest: v })
const trial = (number: number, accuracy: number, size?: number, latency?: number, state: TrialState = 'Succeeded') => ({
  id: `t${number}`, name: `t${number}`, number, state, objective: accuracy,
  metrics: { accuracy: summary(accuracy), ...(size !== undefined ? { size: summary(size) } : {}), ...(latency !== undefined ? { latency: summary(latency) } : {}) },
}) as unknown as TrialRecord

const two: ObjectiveSpec = {
  type: 'maximize', objectiveMetricName: 'accuracy',
  objectives: [{ metric: 'size', direction: 'minimize' }],
  constraints: ['latency <= 50'],
  metricStrategies: [{ name: 'accuracy', value: 'max' }, { name: 'size', value: 'min' }, { name: 'latency', value: 'latest' }],
}

test('the front: feasible Succeeded trials with every objective, none dominated; best is its top first objective, earlier on ties', () => {
  const trials = [
    trial(0, 0.9, 300, 20),
    trial(1, 0.8, 100, 10),
    trial(2, 0.95, 900, 80), // infeasible
    trial(3, 0.7, 400, 5), // dominated by 0
    trial(4, 0.99, undefined, 5), // no size: no vector
    trial(5, 0.99, 1, 1, 'Failed'),
    trial(6, 0.9, 300, 1), // equal to 0: both on the front, 0 stays best
  ]
  const { front, hypervolume, referencePoint } = experimentFront(two, trials)
  assert.deepEqual(front.map((t) => t.name), ['t0', 't1', 't6'])
  assert.equal(bestTrial(trials, 'maximize', 'accuracy', two)?.name, 't0')
  // Default reference: worst feasible plus 10% of the range; minimised (-0.9, 300), (-0.8, 100) up to (-0.68, 430).
  assert.deepEqual(referencePoint!.map((v) => Number(v.toFixed(9))), [0.68, 430])
  assert.ok(Math.abs(hypervolume! - 52.6) < 1e-9, String(hypervolume))
  // A reference point from the spec replaces it: (-0.5, 1000) minimised.
  const fixed = experimentFront({ ...two, referencePoint: [0.5, 1000] }, trials)
  assert.deepEqual(fixed.referencePoint, [0.5, 1000])
  assert.ok(Math.abs(fixed.hypervolume! - (0.1 * 700 + 0.3 * 900)) < 1e-9, String(fixed.hypervolume))
  assert.deepEqual(trialStanding(two, trials[2]!), { values: [0.95, 900], feasible: false, violations: [{ constraint: 'latency <= 50', violation: 30 }] })
  assert.deepEqual(trialStanding(two, trials[4]!), { values: null, feasible: true, violations: [] })
  assert.deepEqual(trialStanding(two, trial(7, 0.5, 1)), { values: [0.5, 1], feasible: false, violations: [{ constraint: 'latency <= 50', violation: null }] })
  assert.deepEqual(trialStanding(two, trials[5]!), { values: null, feasible: null, violations: [] })
  assert.deepEqual(experimentFront(two, [trials[2]!]), { front: [], hypervolume: null, referencePoint: null })
})

test('one objective with constraints: the best feasible trial, never an infeasible one; early-stopped trials compete', () => {
  const one: ObjectiveSpec = { type: 'maximize', objectiveMetricName: 'accuracy', constraints: ['latency <= 50'] }
  const trials = [trial(0, 0.99, undefined, 60), trial(1, 0.8, undefined, 10), trial(2, 0.85, undefined, 40, 'EarlyStopped')]
  assert.equal(bestTrial(trials, 'maximize', 'accuracy', one)?.name, 't2')
  assert.equal(bestTrial(trials.slice(0, 1), 'maximize', 'accuracy', one), undefined)
  // Without the spec (older callers), every trial competes as before.
  assert.equal(bestTrial(trials, 'maximize', 'accuracy')?.name, 't0')
})
