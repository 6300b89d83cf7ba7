import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidSpecError } from '../../core/errors.ts'
import { parseExperimentYaml } from '../../core/spec/index.ts'
import { checkSpecChange, type ExistingExperiment } from '../../core/spec/spec-change.ts'

function experiment(metadata: string, max = 4) {
  const parsed = parseExperimentYaml(`apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: sc
${metadata}spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  maxTrialCount: ${max}
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
  trialTemplate:
    command: ["python3", "train.py", "--x=\${trialParameters.x}"]
`, 'sc.yaml')
  assert.ok(parsed.experiment, JSON.stringify(parsed.issues))
  return parsed.experiment
}

const existing = (spec: ReturnType<typeof experiment>): ExistingExperiment => ({ name: 'sc', spec, completed: false, reason: null, trialCount: 1 })

test('labels and annotations may change, as in Katib (its webhook compares specs only)', () => {
  const stored = experiment('  labels: {team: a}\n  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}\n')
  assert.deepEqual(checkSpecChange(existing(stored), experiment(''), 'start over'), { kind: 'unchanged' })
  assert.deepEqual(checkSpecChange(existing(experiment('')), experiment('  labels: {team: b}\n'), 'start over'), { kind: 'unchanged' })
  assert.deepEqual(checkSpecChange(existing(stored), experiment('  labels: {team: b}\n', 6), 'start over'), { kind: 'update' })
})

test('a namespace or spec change is still refused, naming the field', () => {
  assert.throws(() => checkSpecChange(existing(experiment('')), experiment('  namespace: other\n'), 'start over'),
    (error: unknown) => error instanceof InvalidSpecError && error.issues[0]!.path === '/metadata/namespace')
  const other = experiment('')
  const changed = { ...other, spec: { ...other.spec, algorithm: { algorithmName: 'tpe' } } }
  assert.throws(() => checkSpecChange(existing(other), changed, 'start over'),
    (error: unknown) => error instanceof InvalidSpecError && error.issues[0]!.path.startsWith('/spec/algorithm') && /Rename metadata.name, or start over/.test(error.issues[0]!.message))
})
