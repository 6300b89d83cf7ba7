/**
 * A multi-objective experiment through the HTTP API (docs/multiobjective.md): workers tell
 * vectors (by metric or as an array), constraints make trials infeasible, and the experiment,
 * its trials, GET .../best and /metrics show the Pareto front and its hypervolume; on a single
 * objective, constraints keep infeasible trials from being best and the told value is the objective.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { AskedTrialView } from '../../api/schemas/ask-tell.ts'
import type { BestView } from '../../api/schemas/best.ts'
import type { ErrorBody } from '../../api/schemas/common.ts'
import type { ExperimentResource } from '../../api/schemas/experiment.ts'
import type { TrialView } from '../../api/schemas/trial.ts'
import type { TrialColumns } from '../../api/schemas/trial-columns.ts'
import { openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
before(async () => {
  t = await openTestApp()
})
after(async () => {
  await t?.close()
})

const get = async <T>(url: string): Promise<T> => {
  const res = await t.app.inject({ method: 'GET', url })
  assert.equal(res.statusCode, 200, res.body)
  return JSON.parse(res.body) as T
}
const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, payload })
const base = (name: string) => `/api/v1/experiments/${name}`

async function submit(objective: string, parallel: number): Promise<string> {
  const name = uniqueName('mo')
  const res = await postYaml(t.app, `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: ${name}}
spec:
  objective:
${objective}
  algorithm: {algorithmName: random}
  parallelTrialCount: ${parallel}
  maxTrialCount: ${parallel + 2}
  parameters:
    - {name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.1"}}
`)
  assert.equal(res.statusCode, 201, res.body)
  const warnings = (JSON.parse(res.body) as { warnings: { path: string; message: string }[] }).warnings
  assert.ok(warnings.some((w) => /Katib itself would refuse/.test(w.message)), 'the submission warns that Katib would refuse the extension')
  return name
}

let asks = 0
async function askAll(name: string, n: number): Promise<string[]> {
  const names: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await post(`${base(name)}/trials:ask`, { idempotencyKey: `k${asks++}` })
    assert.equal(res.statusCode, 200, res.body)
    names.push((JSON.parse(res.body) as AskedTrialView).name)
  }
  return names
}

async function tell(name: string, trial: string, body: object): Promise<void> {
  const res = await post(`${base(name)}/trials/${trial}:tell`, body)
  assert.equal(res.statusCode, 200, res.body)
}

test('two objectives and a constraint: the front, its hypervolume, currentOptimalTrial, trials, GET .../best and /metrics', async () => {
  const name = await submit(`    type: maximize
    objectiveMetricName: accuracy
    objectives: [{metric: size_kb, direction: Minimize}]
    constraints: ["latency_ms <= 50"]`, 4)
  const [t0, t1, t2, t3] = await askAll(name, 4)

  // A wrong vector is refused (400) at its JSON path, and the trial stays Running.
  const short = await post(`${base(name)}/trials/${t0}:tell`, { values: [0.9] })
  assert.equal(short.statusCode, 400, short.body)
  assert.deepEqual((JSON.parse(short.body) as ErrorBody).error.issues?.map((i) => i.path), ['/body/values'])
  assert.match((JSON.parse(short.body) as ErrorBody).error.message, /2 objectives \(accuracy, size_kb\)/)
  const missing = await post(`${base(name)}/trials/${t0}:tell`, { values: { accuracy: 0.9 } })
  assert.equal(missing.statusCode, 400, missing.body)
  assert.match((JSON.parse(missing.body) as ErrorBody).error.message, /"size_kb" has no value/)

  await tell(name, t0!, { values: { accuracy: 0.9, size_kb: 300, latency_ms: 20 } })
  // The constraint metric pushed as a point, the objectives told as an array in objective order.
  const pushed = await post(`${base(name)}/trials/${t1}/observations`, { points: [{ metric: 'latency_ms', step: 0, value: 10 }] })
  assert.equal(pushed.statusCode, 200, pushed.body)
  await tell(name, t1!, { values: [0.8, 100] })
  // The most accurate, but too slow: infeasible, so neither best nor on the front.
  await tell(name, t2!, { values: { accuracy: 0.95, size_kb: 900, latency_ms: 80 } })
  // Dominated by t0 (less accurate and larger).
  await tell(name, t3!, { values: { accuracy: 0.7, size_kb: 400, latency_ms: 5 } })

  const experiment = await get<ExperimentResource>(base(name))
  assert.deepEqual(experiment.objectives, [{ metric: 'accuracy', direction: 'maximize' }, { metric: 'size_kb', direction: 'minimize' }])
  assert.deepEqual(experiment.constraints, ['latency_ms <= 50'])
  assert.deepEqual(experiment.paretoFront, [t0, t1])
  assert.equal(experiment.status.currentOptimalTrial.bestTrialName, t0, 'the front trial with the best first objective')
  // Reference: the worst feasible value plus 10% of the range (accuracy 0.7 - 0.02, size 400 + 30);
  // minimised, the front (-0.9, 300), (-0.8, 100) covers 0.1 * 130 + 0.12 * 330.
  const [accuracyRef, sizeRef] = experiment.referencePoint!
  assert.ok(Math.abs(accuracyRef! - 0.68) < 1e-9 && Math.abs(sizeRef! - 430) < 1e-9, String(experiment.referencePoint))
  assert.ok(Math.abs(experiment.hypervolume! - 52.6) < 1e-9, String(experiment.hypervolume))

  const trials = (await get<{ items: TrialView[] }>(`${base(name)}/trials`)).items
  const byName = new Map(trials.map((x) => [x.name, x]))
  assert.deepEqual(byName.get(t0!)!.values, [0.9, 300])
  assert.equal(byName.get(t0!)!.feasible, true)
  assert.deepEqual(byName.get(t0!)!.violations, [])
  assert.deepEqual(byName.get(t2!)!.values, [0.95, 900])
  assert.equal(byName.get(t2!)!.feasible, false)
  assert.deepEqual(byName.get(t2!)!.violations, [{ constraint: 'latency_ms <= 50', violation: 30 }])

  // The dashboard's columnar read carries the same.
  const columns = await get<TrialColumns>(`${base(name)}/trials:columns`)
  const at = (trial: string) => columns.suffix.findIndex((s) => columns.namePrefix + s === trial)
  assert.deepEqual(columns.values![at(t1!)], [0.8, 100])
  assert.equal(columns.feasible![at(t2!)], false)
  assert.deepEqual(columns.violations![at(t2!)], [{ constraint: 'latency_ms <= 50', violation: 30 }])

  const best = await get<BestView>(`${base(name)}/best`)
  assert.deepEqual(best.trials.map((x) => x.name), [t0, t1])
  assert.deepEqual(best.trials.map((x) => x.values), [[0.9, 300], [0.8, 100]])
  assert.equal(best.hypervolume, experiment.hypervolume)

  const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body
  const line = metrics.split('\n').find((l) => l.startsWith(`tunewell_experiment_hypervolume{experiment="${name}"}`))
  assert.ok(line, 'a hypervolume series for the experiment')
  assert.ok(Math.abs(Number(line.split(' ').at(-1)) - 52.6) < 1e-9, line)

  // A trial that dominates the best with the same first objective takes its place.
  const [t4] = await askAll(name, 1)
  await tell(name, t4!, { values: { accuracy: 0.9, size_kb: 200, latency_ms: 1 } })
  const after = await get<ExperimentResource>(base(name))
  assert.deepEqual(after.paretoFront, [t1, t4])
  assert.equal(after.status.currentOptimalTrial.bestTrialName, t4)
})

test('three objectives: a trial that takes the best off the front hands currentOptimalTrial to the earlier of the rest', async () => {
  const name = await submit(`    type: maximize
    objectiveMetricName: accuracy
    objectives: [{metric: size, direction: minimize}, {metric: latency, direction: minimize}]`, 3)
  const [b, c, t3] = await askAll(name, 3)
  await tell(name, b!, { values: [0.9, 300, 5] })
  await tell(name, c!, { values: [0.9, 250, 9] })
  assert.equal((await get<ExperimentResource>(base(name))).status.currentOptimalTrial.bestTrialName, b)
  // Dominates b (same accuracy, smaller, faster), not c (larger than c).
  await tell(name, t3!, { values: [0.9, 290, 4] })
  const experiment = await get<ExperimentResource>(base(name))
  assert.deepEqual(experiment.paretoFront, [c, t3])
  assert.equal(experiment.status.currentOptimalTrial.bestTrialName, c)
})

test('one objective with a constraint: an infeasible trial is never best, and the told value is the trial\'s objective', async () => {
  const name = await submit(`    type: minimize
    objectiveMetricName: loss
    constraints: ["size >= 3"]`, 2)
  const [t0, t1] = await askAll(name, 2)
  await tell(name, t0!, { values: { loss: 0.1, size: 1 } })
  assert.equal((await get<ExperimentResource>(base(name))).status.currentOptimalTrial.bestTrialName, '')
  assert.deepEqual((await get<BestView>(`${base(name)}/best`)).trials, [])
  // An intermediate report below the told value feeds the curve but is not the result.
  const pushed = await post(`${base(name)}/trials/${t1}/observations`, { points: [{ metric: 'loss', step: 0, value: 0.05 }] })
  assert.equal(pushed.statusCode, 200, pushed.body)
  await tell(name, t1!, { values: { loss: 0.5, size: 4 } })
  const experiment = await get<ExperimentResource>(base(name))
  assert.equal(experiment.status.currentOptimalTrial.bestTrialName, t1)
  assert.equal(experiment.paretoFront, undefined)
  const trial = await get<TrialView>(`${base(name)}/trials/${t1}`)
  assert.equal(trial.objective, 0.5)
  assert.deepEqual(trial.values, [0.5])
  assert.equal(trial.feasible, true)
  const infeasible = await get<TrialView>(`${base(name)}/trials/${t0}`)
  assert.deepEqual(infeasible.violations, [{ constraint: 'size >= 3', violation: 2 }])
  assert.deepEqual((await get<BestView>(`${base(name)}/best`)).trials.map((x) => x.name), [t1])
})
