import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateExperiment } from '../../../core/spec/index.ts'
import { JOB, LOCAL, assertMentions, edit, parse, positionOf } from './spec-test-kit.ts'

type Position = { line: number; col: number }
interface Expected {
  readonly path: string
  /** Where the issue must point: a snippet (first occurrence), [snippet, nth], or a position. */
  readonly at: string | readonly [string, number] | Position
  readonly says: readonly string[]
}

/** Asserts the document is invalid with exactly these issues (by path), each at its place. */
function expectIssues(text: string, expected: readonly Expected[]): void {
  const parsed = parse(text)
  assert.equal(parsed.experiment, undefined, 'an invalid document must not yield an experiment')
  const got = parsed.issues.map((i) => i.path).sort()
  assert.deepEqual(got, expected.map((e) => e.path).sort(), `issues:\n${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`)
  for (const e of expected) {
    const issue = parsed.issues.find((i) => i.path === e.path)!
    const where = typeof e.at === 'string' ? positionOf(text, e.at) : 'line' in e.at ? e.at : positionOf(text, e.at[0], e.at[1])
    assert.deepEqual({ line: issue.line, col: issue.col }, where, `position of ${e.path}`)
    assertMentions(issue.message, ...e.says)
  }
}

function rule(name: string, text: string, ...expected: Expected[]): void {
  test(name, () => expectIssues(text, expected))
}

/** Asserts the document is valid and has exactly this warning, at its place. */
function warns(name: string, text: string, expected: Expected): void {
  test(name, () => {
    const parsed = parse(text)
    assert.deepEqual(parsed.issues, [])
    assert.ok(parsed.experiment)
    assert.deepEqual(parsed.warnings.map((w) => w.path), [expected.path])
    const where = typeof expected.at === 'string' ? positionOf(text, expected.at) : 'line' in expected.at ? expected.at : positionOf(text, expected.at[0], expected.at[1])
    assert.deepEqual({ line: parsed.warnings[0]!.line, col: parsed.warnings[0]!.col }, where)
    assertMentions(parsed.warnings[0]!.message, ...expected.says)
  })
}

function valid(name: string, text: string): void {
  test(name, () => {
    const parsed = parse(text)
    assert.deepEqual(parsed.issues, [])
    assert.ok(parsed.experiment)
  })
}

const shift = (p: Position, by: number): Position => ({ line: p.line, col: p.col + by })
const JOB_HEAD = JOB.slice(0, JOB.indexOf('    trialSpec:\n'))
const CONDITIONS = '    successCondition: status.ok\n    failureCondition: status.failed\n'
const withCollector = (collector: string) => edit(JOB, ['  maxFailedTrialCount: 2\n', `  maxFailedTrialCount: 2\n  metricsCollectorSpec:\n${collector}`])

const NAS = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: nas
spec:
  objective: {type: maximize, objectiveMetricName: Validation-Accuracy}
  algorithm: {algorithmName: enas}
  nasConfig:
    graphConfig: {numLayers: 1, inputSizes: [32, 32, 3], outputSizes: [10]}
    operations:
      - operationType: convolution
        parameters:
          - name: filter_size
            parameterType: int
            feasibleSpace: {min: "3", max: "7", step: "2"}
  trialTemplate:
    primaryContainerName: training
    trialParameters:
      - {name: architecture, reference: architecture}
      - {name: config, reference: nn_config}
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: training
                image: x
                command: ["run", "--arch=\${trialParameters.architecture}", "--config=\${trialParameters.config}"]
`

// --- metadata -------------------------------------------------------------------------------

rule('name must match the Kubernetes name pattern', edit(JOB, ['  name: demo', '  name: Demo_1']), {
  path: '/metadata/name', at: 'name: Demo_1', says: ['"Demo_1" is invalid', 'lower case letters, digits and \'-\'', 'e.g. "my-experiment-1"'],
})
rule('the name pattern is end-anchored (Katib\'s is not and accepts a trailing "-")', edit(JOB, ['  name: demo', '  name: demo-']), {
  path: '/metadata/name', at: 'name: demo-', says: ['"demo-" is invalid', 'end with a letter or digit'],
})
rule('name must be at most 40 characters', edit(JOB, ['  name: demo', `  name: ${'a'.repeat(41)}`]), {
  path: '/metadata/name', at: 'name: aaa', says: ['is 41 characters long', 'at most 40'],
})
rule('name is required, even with generateName (experiments are resumed by name)', edit(JOB, ['  name: demo\n', '  generateName: demo-\n']), {
  path: '/metadata/name', at: 'metadata:', says: ['required field "name" is missing', 'a string'],
})
rule('name must not be empty', edit(JOB, ['  name: demo', '  name: ""']), { path: '/metadata/name', at: 'name: ""', says: ['name is empty', '"my-experiment"'] })
rule('namespace must be a DNS label', edit(JOB, ['  namespace: kubeflow', '  namespace: Kube_flow']), {
  path: '/metadata/namespace', at: 'namespace: Kube_flow', says: ['"Kube_flow" is invalid', 'DNS label'],
})

// --- counts ---------------------------------------------------------------------------------

rule('maxTrialCount must be > 0', edit(JOB, ['  maxTrialCount: 6', '  maxTrialCount: 0']), {
  path: '/spec/maxTrialCount', at: 'maxTrialCount: 0', says: ['maxTrialCount 0 is not positive', 'must be > 0'],
})
rule('parallelTrialCount must be > 0', edit(JOB, ['  parallelTrialCount: 2', '  parallelTrialCount: 0']), {
  path: '/spec/parallelTrialCount', at: 'parallelTrialCount: 0', says: ['parallelTrialCount 0 is not positive', 'must be > 0'],
})
rule('maxFailedTrialCount must be >= 0', edit(JOB, ['  maxFailedTrialCount: 2', '  maxFailedTrialCount: -1']), {
  path: '/spec/maxFailedTrialCount', at: 'maxFailedTrialCount: -1', says: ['maxFailedTrialCount -1 is negative', '>= 0'],
})
rule('parallelTrialCount must be <= maxTrialCount', edit(JOB, ['  parallelTrialCount: 2', '  parallelTrialCount: 7']), {
  path: '/spec/parallelTrialCount', at: 'parallelTrialCount: 7', says: ['parallelTrialCount 7 is greater than maxTrialCount 6', '<= maxTrialCount'],
})
rule('the parallelTrialCount default of 3 must fit maxTrialCount too (as in Katib)', edit(JOB, ['  parallelTrialCount: 2\n', ''], ['  maxTrialCount: 6', '  maxTrialCount: 2']), {
  path: '/spec/parallelTrialCount', at: 'spec:', says: ['parallelTrialCount 3 is greater than maxTrialCount 2', 'defaults to 3'],
})
test('maxFailedTrialCount > maxTrialCount is only a warning (Katib\'s simple-pbt example has it)', () => {
  const text = edit(JOB, ['  maxFailedTrialCount: 2', '  maxFailedTrialCount: 7'])
  const parsed = parse(text)
  assert.deepEqual(parsed.issues, [])
  assert.ok(parsed.experiment)
  assert.equal(parsed.warnings.length, 1)
  assert.equal(parsed.warnings[0].path, '/spec/maxFailedTrialCount')
  assert.deepEqual({ line: parsed.warnings[0].line, col: parsed.warnings[0].col }, positionOf(text, 'maxFailedTrialCount: 7'))
  assertMentions(parsed.warnings[0].message, 'maxFailedTrialCount 7 is greater than maxTrialCount 6', '<= maxTrialCount')
})

// --- objective, algorithm, early stopping, resume policy ------------------------------------

rule('objective type must be minimize or maximize', edit(JOB, ['    type: minimize', '    type: Minimize']), {
  path: '/spec/objective/type', at: 'type: Minimize', says: ['"Minimize" is not allowed', '"minimize", "maximize"', 'did you mean "minimize"?'],
})
rule('objectiveMetricName must not be empty', edit(JOB, ['    objectiveMetricName: loss', '    objectiveMetricName: ""']), {
  path: '/spec/objective/objectiveMetricName', at: 'objectiveMetricName', says: ['objectiveMetricName is empty', 'e.g. "loss"'],
})
{
  const text = edit(JOB, ['      - accuracy\n', '      - accuracy\n      - loss\n'])
  rule('additionalMetricNames must not contain the objective metric', text, {
    path: '/spec/objective/additionalMetricNames/1', at: shift(positionOf(text, '- loss'), 2), says: ['"loss" is the objectiveMetricName', 'must not contain it'],
  })
}
{
  const text = edit(JOB, ['      - accuracy\n', '      - accuracy\n      - accuracy\n'])
  warns('a repeated metric name is a warning, and collected once (Katib accepts it)', text, {
    path: '/spec/objective/additionalMetricNames/1', at: shift(positionOf(text, '- accuracy', 1), 2), says: ['"accuracy" is listed twice', 'ignored'],
  })
}
warns('a strategy for a metric that is not collected is a warning (Katib ignores it)', edit(JOB, ['      - accuracy\n', '      - accuracy\n    metricStrategies:\n      - {name: acuracy, value: max}\n']), {
  path: '/spec/objective/metricStrategies/0/name', at: 'name: acuracy', says: ['"acuracy" is neither the objective nor an additional metric', 'ignored', 'did you mean "accuracy"?'],
})
rule('a metric has at most one strategy', edit(JOB, ['      - accuracy\n', '      - accuracy\n    metricStrategies:\n      - {name: loss, value: min}\n      - {name: loss, value: latest}\n']), {
  path: '/spec/objective/metricStrategies/1/name', at: ['name: loss', 1], says: ['"loss" has two strategies', '"min" and "latest"'],
})
warns('the same strategy twice for a metric is a warning', edit(JOB, ['      - accuracy\n', '      - accuracy\n    metricStrategies:\n      - {name: loss, value: min}\n      - {name: loss, value: min}\n']), {
  path: '/spec/objective/metricStrategies/1/name', at: ['name: loss', 1], says: ['"loss" has strategy "min" twice', 'ignored'],
})
rule('a metric strategy value is min, max or latest', edit(JOB, ['      - accuracy\n', '      - accuracy\n    metricStrategies:\n      - {name: loss, value: minimum}\n']), {
  path: '/spec/objective/metricStrategies/0/value', at: 'value: minimum', says: ['"minimum" is not allowed', '"min", "max", "latest"'],
})
rule('algorithmName must not be empty', edit(JOB, ['    algorithmName: random', '    algorithmName: ""']), {
  path: '/spec/algorithm/algorithmName', at: 'algorithmName', says: ['algorithmName is empty', '"random"'],
})
rule('algorithm settings are given once each', edit(JOB, ['    algorithmName: random\n', '    algorithmName: random\n    algorithmSettings:\n      - {name: random_state, value: "1"}\n      - {name: random_state, value: "2"}\n']), {
  path: '/spec/algorithm/algorithmSettings/1/name', at: ['name: random_state', 1], says: ['"random_state" is given twice, as "1" and "2"'],
})
warns('a setting repeated with the same value is a warning', edit(JOB, ['    algorithmName: random\n', '    algorithmName: random\n    algorithmSettings:\n      - {name: random_state, value: "1"}\n      - {name: random_state, value: "1"}\n']), {
  path: '/spec/algorithm/algorithmSettings/1/name', at: ['name: random_state', 1], says: ['"random_state" is given twice with the same value', 'ignored'],
})
rule('earlyStopping needs an algorithmName', edit(JOB, ['  parallelTrialCount: 2\n', '  parallelTrialCount: 2\n  earlyStopping:\n    algorithmName: ""\n']), {
  path: '/spec/earlyStopping/algorithmName', at: ['algorithmName', 1], says: ['algorithmName is empty', 'medianstop'],
})
rule('resumePolicy is Never, LongRunning or FromVolume', edit(JOB, ['  maxTrialCount: 6\n', '  maxTrialCount: 6\n  resumePolicy: Always\n']), {
  path: '/spec/resumePolicy', at: 'resumePolicy', says: ['"Always" is not allowed', '"Never", "LongRunning", "FromVolume"'],
})

// --- trial template -------------------------------------------------------------------------

rule('a trial template needs a source', JOB_HEAD + CONDITIONS, {
  path: '/spec/trialTemplate', at: 'trialTemplate:', says: ['no trial source', 'trialSpec', 'configMap', 'command'],
})
rule('only one of trialSpec, configMap and command', edit(JOB, ['    primaryContainerName: training\n', '    primaryContainerName: training\n    configMap: {configMapName: a, configMapNamespace: b, templatePath: c}\n']), {
  path: '/spec/trialTemplate/configMap', at: 'configMap:', says: ['trialSpec and configMap are both given', 'exactly one'],
})
rule('primaryContainerName is required for a manifest', edit(JOB, ['    primaryContainerName: training\n', '']), {
  path: '/spec/trialTemplate/primaryContainerName', at: 'trialTemplate:', says: ['primaryContainerName is missing'],
})
rule(
  'success and failure conditions are required for kinds Katib has no defaults for',
  edit(JOB, ['      apiVersion: batch/v1\n      kind: Job', '      apiVersion: argoproj.io/v1alpha1\n      kind: Workflow']),
  { path: '/spec/trialTemplate/successCondition', at: 'trialTemplate:', says: ['successCondition is missing', 'kind "Workflow"', 'GJSON'] },
  { path: '/spec/trialTemplate/failureCondition', at: 'trialTemplate:', says: ['failureCondition is missing', 'kind "Workflow"'] },
)
{
  const text = edit(JOB, ['    trialParameters:\n      - name: learningRate\n        reference: lr\n      - name: layers\n        reference: layers\n      - name: optimizer\n        reference: optimizer\n', ''])
  rule(
    'trialParameters is required for a manifest, and every placeholder must be declared',
    text,
    { path: '/spec/trialTemplate/trialParameters', at: 'trialTemplate:', says: ['trialParameters is missing'] },
    { path: '/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/command/2', at: shift(positionOf(text, '- --lr='), 2), says: ['${trialParameters.learningRate} is not declared', 'none are declared'] },
    { path: '/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/command/3', at: shift(positionOf(text, '- --layers='), 2), says: ['${trialParameters.layers} is not declared'] },
    { path: '/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/command/4', at: shift(positionOf(text, '- --optimizer='), 2), says: ['${trialParameters.optimizer} is not declared'] },
  )
}
rule('configMap needs name, namespace and templatePath', JOB_HEAD + CONDITIONS + '    configMap:\n      configMapName: ""\n      configMapNamespace: kubeflow\n      templatePath: t.yaml\n', {
  path: '/spec/trialTemplate/configMap/configMapName', at: 'configMapName', says: ['configMapName is empty', 'templatePath'],
})
{
  const text = edit(JOB, ['      - name: layers\n        reference: layers\n', '      - name: "lay{ers}"\n        reference: layers\n'])
  rule(
    'a trialParameter name must not contain braces',
    text,
    { path: '/spec/trialTemplate/trialParameters/1/name', at: 'name: "lay{ers}"', says: ['"lay{ers}" is invalid', 'without "{" or "}"'] },
    { path: '/spec/trialTemplate/trialParameters', at: 'trialParameters:', says: ['parameter "layers" is not referenced by any trialParameter'] },
    { path: '/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/command/3', at: shift(positionOf(text, '- --layers='), 2), says: ['${trialParameters.layers} is not declared'] },
  )
}
{
  const text = edit(JOB, ['      - name: layers\n        reference: layers\n', '      - name: layers\n        reference: ""\n'])
  rule(
    'a trialParameter reference must not be empty',
    text,
    { path: '/spec/trialTemplate/trialParameters/1/reference', at: 'reference: ""', says: ['reference is empty'] },
    { path: '/spec/trialTemplate/trialParameters', at: 'trialParameters:', says: ['"layers" is not referenced'] },
    { path: '/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/command/3', at: shift(positionOf(text, '- --layers='), 2), says: ['${trialParameters.layers} is not declared'] },
  )
}
rule('trialParameter names are unique', edit(JOB, ['        reference: optimizer\n', '        reference: optimizer\n      - name: layers\n        reference: other\n']), {
  path: '/spec/trialTemplate/trialParameters/3/name', at: ['name: layers', 2], says: ['"layers" is already declared by trialParameters/1', 'unique'],
})
rule('trialParameter references are unique', edit(JOB, ['        reference: optimizer\n', '        reference: optimizer\n      - name: lr2\n        reference: lr\n']), {
  path: '/spec/trialTemplate/trialParameters/3/reference', at: ['reference: lr', 1], says: ['"lr" is already used by another trialParameter'],
})
rule(
  'a reference must name a parameter, with a suggestion for a near miss',
  edit(JOB, ['        reference: optimizer', '        reference: optimiser']),
  { path: '/spec/trialTemplate/trialParameters/2/reference', at: 'reference: optimiser', says: ['"optimiser" is not a parameter in spec.parameters (lr, layers, optimizer)', 'did you mean "optimizer"?'] },
  { path: '/spec/trialTemplate/trialParameters', at: 'trialParameters:', says: ['parameter "optimizer" is not referenced by any trialParameter', 'would never reach the trial'] },
)
rule('a metadata reference must use a known key', edit(JOB, ['        reference: optimizer\n', '        reference: optimizer\n      - name: owner\n        reference: ${trialSpec.Owner}\n'], ['                  - python3\n', '                  - python3\n                  - --owner=${trialParameters.owner}\n']), {
  path: '/spec/trialTemplate/trialParameters/3/reference', at: 'reference: ${trialSpec.Owner}', says: ['"${trialSpec.Owner}" is not a trial metadata reference', '${trialSpec.Labels[<key>]}'],
})
rule('a Labels reference needs that label on the template', edit(JOB, ['        reference: optimizer\n', '        reference: optimizer\n      - name: team\n        reference: ${trialSpec.Labels[team]}\n'], ['                  - python3\n', '                  - python3\n                  - --team=${trialParameters.team}\n']), {
  path: '/spec/trialTemplate/trialParameters/3/reference', at: 'reference: ${trialSpec.Labels[team]}', says: ['labels key "team"', 'trialSpec.metadata.labels has no such key'],
})
valid('a Labels reference to an existing label is fine', edit(JOB, ['        reference: optimizer\n', '        reference: optimizer\n      - name: team\n        reference: ${trialSpec.Labels[team]}\n'], ['                  - python3\n', '                  - python3\n                  - --team=${trialParameters.team}\n'], ['      kind: Job\n', '      kind: Job\n      metadata: {labels: {team: ml}}\n']))
{
  const text = edit(JOB, ['${trialParameters.learningRate}', '${trialParameters.learningRat}'])
  test('a placeholder must be declared, with a suggestion; the now unused declaration is a warning', () => {
    expectIssues(text, [{ path: '/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/command/2', at: shift(positionOf(text, '- --lr='), 2), says: ['${trialParameters.learningRat} is not declared', 'did you mean ${trialParameters.learningRate}?'] }])
    const warnings = parse(text).warnings
    assert.deepEqual(warnings.map((w) => w.path), ['/spec/trialTemplate/trialParameters/0/name'])
    assertMentions(warnings[0].message, 'trialParameter "learningRate" is never used')
  })
}
rule('every spec parameter must reach the trial through a trialParameter', edit(JOB, ['      - name: optimizer\n        reference: optimizer\n', ''], ['                  - --optimizer=${trialParameters.optimizer}\n', '']), {
  path: '/spec/trialTemplate/trialParameters', at: 'trialParameters:', says: ['parameter "optimizer" is not referenced by any trialParameter', 'add {name: optimizer, reference: optimizer}'],
})
rule('the manifest must not set metadata.name', edit(JOB, ['      kind: Job\n', '      kind: Job\n      metadata: {name: fixed}\n']), {
  path: '/spec/trialTemplate/trialSpec/metadata/name', at: 'name: fixed', says: ['metadata.name "fixed" must be omitted'],
})
rule('the manifest needs apiVersion and kind', edit(JOB, ['      apiVersion: batch/v1\n', '']), {
  path: '/spec/trialTemplate/trialSpec/apiVersion', at: 'trialSpec:', says: ['apiVersion is missing', 'apiVersion: batch/v1, kind: Job'],
})
rule('the command form can only use the trial\'s Name and Namespace as metadata', edit(LOCAL, ['    command: [', '    trialParameters:\n      - {name: lr, reference: lr}\n      - {name: epochs, reference: epochs}\n      - {name: kind, reference: "${trialSpec.Kind}"}\n    command: ["--kind=${trialParameters.kind}", ']), {
  path: '/spec/trialTemplate/trialParameters/2/reference', at: 'reference: "${trialSpec.Kind}"', says: ['"${trialSpec.Kind}" reads the Kubernetes manifest', 'only ${trialSpec.Name}, ${trialSpec.Namespace} and ${trialSpec.CheckpointDir}'],
})
rule('an unused trialParameter is an error in the command form', edit(LOCAL, ['    command: [', '    trialParameters:\n      - {name: lr, reference: lr}\n      - {name: epochs, reference: epochs}\n      - {name: trial, reference: "${trialSpec.Name}"}\n    command: [']), {
  path: '/spec/trialTemplate/trialParameters/2/name', at: 'name: trial', says: ['trialParameter "trial" is never used', 'command or env'],
})
{
  const text = edit(LOCAL, [/command: \[.*\]/.exec(LOCAL)![0], 'command: []'])
  rule(
    'the command form needs a program',
    text,
    { path: '/spec/trialTemplate/command', at: 'command: []', says: ['command names no program', '["python3", "train.py"'] },
    { path: '/spec/trialTemplate/trialParameters/0/name', at: 'trialTemplate:', says: ['"lr" is never used'] },
    { path: '/spec/trialTemplate/trialParameters/1/name', at: 'trialTemplate:', says: ['"epochs" is never used'] },
  )
}
rule('environment variables are set once each', `${LOCAL}    env:\n      - {name: SEED, value: "1"}\n      - {name: SEED, value: "2"}\n`, {
  path: '/spec/trialTemplate/env/1/name', at: ['name: SEED', 1], says: ['"SEED" is set twice'],
})
rule('activeDeadlineSeconds must be positive', `${LOCAL}    activeDeadlineSeconds: 0\n`, {
  path: '/spec/trialTemplate/activeDeadlineSeconds', at: 'activeDeadlineSeconds', says: ['activeDeadlineSeconds 0 is not positive', '> 0'],
})
valid('the command form substitutes env and workingDir placeholders and needs no primaryContainerName', `${LOCAL}    env:\n      - {name: LR, value: "\${trialParameters.lr}"}\n    workingDir: /tmp\n    activeDeadlineSeconds: 30\n`)

// --- search space ---------------------------------------------------------------------------

{
  const params = JOB.slice(JOB.indexOf('  parameters:\n'), JOB.indexOf('  trialTemplate:\n'))
  rule('parameters or nasConfig is required', edit(JOB, [params, '']), { path: '/spec/parameters', at: 'spec:', says: ['no search space', 'spec.parameters', 'spec.nasConfig'] })
  rule('parameters and nasConfig are exclusive', edit(JOB, [params, params + '  nasConfig:\n    operations: [{operationType: skip_connection}]\n']), {
    path: '/spec/nasConfig', at: 'nasConfig:', says: ['both given', 'only one'],
  })
}
rule(
  'parameter names are unique',
  edit(JOB, ['    - name: layers\n      parameterType', '    - name: lr\n      parameterType']),
  { path: '/spec/parameters/1/name', at: ['name: lr', 1], says: ['"lr" is already used by /spec/parameters/0', 'unique'] },
  { path: '/spec/trialTemplate/trialParameters/1/reference', at: 'reference: layers', says: ['"layers" is not a parameter'] },
)
rule('int and double parameters take no list', edit(JOB, ['        max: "4"\n', '        max: "4"\n        list: ["1"]\n']), {
  path: '/spec/parameters/1/feasibleSpace/list', at: 'list: ["1"]', says: ['list ["1"] is not allowed for an int parameter', 'min and max'],
})
rule('double parameters need min', edit(JOB, ['        min: "0.01"\n', '']), {
  path: '/spec/parameters/0/feasibleSpace/min', at: 'feasibleSpace:', says: ['min is missing', 'needs both min and max'],
})
rule('bounds must be numbers', edit(JOB, ['        max: "0.05"', '        max: "0.05x"']), {
  path: '/spec/parameters/0/feasibleSpace/max', at: 'max: "0.05x"', says: ['max "0.05x" is not a number', '"0.01" or "1e-3"'],
})
rule('int bounds must be whole numbers', edit(JOB, ['        min: "1"', '        min: "1.5"']), {
  path: '/spec/parameters/1/feasibleSpace/min', at: 'min: "1.5"', says: ['min "1.5" is not a whole number', 'such as "1"'],
})
{
  const text = edit(JOB, ['        min: "0.01"\n        max: "0.05"', '        min: "0.9"\n        max: "0.5"'])
  test('min must be <= max, with the exact message', () => {
    expectIssues(text, [{ path: '/spec/parameters/0/feasibleSpace/min', at: 'min: "0.9"', says: [] }])
    assert.equal(parse(text).issues[0].message, 'min "0.9" is greater than max "0.5"; min must be <= max')
  })
}
valid('min == max is allowed (Katib\'s hyperband example uses int 1..1)', edit(JOB, ['        max: "4"', '        max: "1"']))
rule('step must be positive', edit(JOB, ['        max: "4"\n', '        max: "4"\n        step: "0"\n']), {
  path: '/spec/parameters/1/feasibleSpace/step', at: 'step: "0"', says: ['step "0" is not positive', 'step must be > 0'],
})
rule('step must fit in the range', edit(JOB, ['        max: "0.05"\n', '        max: "0.05"\n        step: "0.1"\n']), {
  path: '/spec/parameters/0/feasibleSpace/step', at: 'step: "0.1"', says: ['step "0.1" is larger than the range max - min = 0.04', 'step must be <= max - min'],
})
valid('a step equal to the range is fine despite float rounding', edit(JOB, ['        min: "0.01"\n        max: "0.05"\n', '        min: "0.1"\n        max: "0.3"\n        step: "0.2"\n']))
rule('logUniform needs min > 0', edit(JOB, ['        min: "0.01"\n        max: "0.05"\n', '        min: "0"\n        max: "0.05"\n        distribution: logUniform\n']), {
  path: '/spec/parameters/0/feasibleSpace/min', at: 'min: "0"', says: ['min "0" is not positive', 'logUniform', 'min must be > 0'],
})
rule('distribution must be a known one, with a suggestion', edit(JOB, ['        max: "0.05"\n', '        max: "0.05"\n        distribution: loguniform\n']), {
  path: '/spec/parameters/0/feasibleSpace/distribution', at: 'distribution', says: ['"loguniform" is not allowed', '"uniform", "logUniform", "normal", "logNormal"', 'did you mean "logUniform"?'],
})
rule('parameterType must be a known one', edit(JOB, ['      parameterType: double', '      parameterType: float']), {
  path: '/spec/parameters/0/parameterType', at: 'parameterType: float', says: ['"float" is not allowed', '"int", "double", "categorical", "discrete"'],
})
rule('categorical parameters take no min, max or step', edit(JOB, ['        list: ["sgd", "adam"]\n', '        list: ["sgd", "adam"]\n        min: "1"\n']), {
  path: '/spec/parameters/2/feasibleSpace/min', at: ['min: "1"', 1], says: ['min "1" is not allowed for a categorical parameter', 'feasibleSpace.list'],
})
rule('categorical parameters need a non-empty list', edit(JOB, ['        list: ["sgd", "adam"]', '        list: []']), {
  path: '/spec/parameters/2/feasibleSpace/list', at: 'list: []', says: ['list is empty', 'at least one value'],
})
rule('discrete values must be numbers', edit(JOB, ['      parameterType: categorical\n      feasibleSpace:\n        list: ["sgd", "adam"]', '      parameterType: discrete\n      feasibleSpace:\n        list: ["1", "two"]']), {
  path: '/spec/parameters/2/feasibleSpace/list/1', at: '"two"', says: ['value "two" is not a number', 'discrete values must be numbers'],
})
rule('list values are unique', edit(JOB, ['        list: ["sgd", "adam"]', '        list: ["sgd", "adam", "sgd"]']), {
  path: '/spec/parameters/2/feasibleSpace/list/2', at: ['"sgd"', 1], says: ['value "sgd" appears more than once'],
})
valid('a NAS experiment may reference service-defined names', NAS)
rule('NAS operation parameters follow the same rules', edit(NAS, ['{min: "3", max: "7", step: "2"}', '{min: "9", max: "7", step: "2"}']), {
  path: '/spec/nasConfig/operations/0/parameters/0/feasibleSpace/min', at: 'min: "9"', says: ['min "9" is greater than max "7"'],
})
rule('a NAS operation needs an operationType', edit(NAS, ['operationType: convolution', 'operationType: ""']), {
  path: '/spec/nasConfig/operations/0/operationType', at: 'operationType', says: ['operationType is empty'],
})

// --- metrics collector ----------------------------------------------------------------------

rule('the File collector needs fileSystemPath kind File', withCollector('    collector: {kind: File}\n    source: {fileSystemPath: {kind: Directory, path: /out}}\n'), {
  path: '/spec/metricsCollectorSpec/source/fileSystemPath/kind', at: 'kind: Directory', says: ['"Directory" does not fit collector kind File', 'must be "File"'],
})
rule('the File collector needs an absolute path', withCollector('    collector: {kind: File}\n    source: {fileSystemPath: {path: out/metrics.log}}\n'), {
  path: '/spec/metricsCollectorSpec/source/fileSystemPath/path', at: 'path: out', says: ['path "out/metrics.log" is not absolute', 'such as "/var/log/katib/metrics.log"', 'only with trialTemplate.command'],
})
rule('no filter with JSON format', withCollector('    collector: {kind: File}\n    source:\n      fileSystemPath: {path: /m.json, format: JSON}\n      filter: {metricsFormat: ["(\\\\w+)=(\\\\d+)"]}\n'), {
  path: '/spec/metricsCollectorSpec/source/filter', at: 'filter', says: ['filter is not allowed with format JSON', 'format TEXT'],
})
valid('with trialTemplate.command a relative metrics path is allowed (it lives in the trial folder)', `${LOCAL.replace('  maxTrialCount: 4\n', '  maxTrialCount: 4\n  metricsCollectorSpec:\n    collector: {kind: File}\n    source: {fileSystemPath: {path: metrics.json, format: JSON}}\n')}`)
rule('the TensorFlowEvent collector needs kind Directory', withCollector('    collector: {kind: TensorFlowEvent}\n    source: {fileSystemPath: {kind: File, path: /tf}}\n'), {
  path: '/spec/metricsCollectorSpec/source/fileSystemPath/kind', at: 'kind: File', says: ['"File" does not fit collector kind TensorFlowEvent', 'must be "Directory"'],
})
rule('the TensorFlowEvent collector needs an absolute path', withCollector('    collector: {kind: TensorFlowEvent}\n    source: {fileSystemPath: {path: tf}}\n'), {
  path: '/spec/metricsCollectorSpec/source/fileSystemPath/path', at: 'path: tf', says: ['path "tf" is not absolute', 'TensorFlowEvent'],
})
rule('the TensorFlowEvent collector takes no format', withCollector('    collector: {kind: TensorFlowEvent}\n    source: {fileSystemPath: {path: /tf, format: TEXT}}\n'), {
  path: '/spec/metricsCollectorSpec/source/fileSystemPath/format', at: 'format: TEXT', says: ['format "TEXT" is not allowed for collector kind TensorFlowEvent'],
})
rule(
  'the PrometheusMetric collector needs a numeric port and an absolute path',
  withCollector('    collector: {kind: PrometheusMetric}\n    source: {httpGet: {port: http, path: metrics}}\n'),
  { path: '/spec/metricsCollectorSpec/source/httpGet/port', at: 'port: http', says: ['port "http" is invalid', 'positive port number'] },
  { path: '/spec/metricsCollectorSpec/source/httpGet/path', at: 'path: metrics', says: ['path "metrics" is invalid', 'starting with "/"'] },
)
rule('the Custom collector needs customCollector', withCollector('    collector: {kind: Custom}\n'), {
  path: '/spec/metricsCollectorSpec/collector/customCollector', at: 'collector:', says: ['customCollector is missing'],
})
rule(
  'a Custom collector path must be absolute with kind File or Directory',
  withCollector('    collector: {kind: Custom, customCollector: {image: c}}\n    source: {fileSystemPath: {path: m.log}}\n'),
  { path: '/spec/metricsCollectorSpec/source/fileSystemPath/path', at: 'path: m.log', says: ['path "m.log" is not absolute'] },
  { path: '/spec/metricsCollectorSpec/source/fileSystemPath/kind', at: 'fileSystemPath', says: ['kind nothing is missing or invalid', '"File" or "Directory"'] },
)
rule('collector kind must be a known one', withCollector('    collector: {kind: None}\n'), {
  path: '/spec/metricsCollectorSpec/collector/kind', at: 'kind: None', says: ['"None" is not allowed', '"StdOut", "File", "TensorFlowEvent", "PrometheusMetric", "Custom", "Push"'],
})
rule('a filter must compile', withCollector('    source: {filter: {metricsFormat: ["([a-z]+=(\\\\d+)"]}}\n'), {
  path: '/spec/metricsCollectorSpec/source/filter/metricsFormat/0', at: '"([a-z]', says: ['is not a valid regular expression', 'name group and a value group'],
})
rule('a filter needs two groups', withCollector('    source: {filter: {metricsFormat: ["loss=(\\\\d+)"]}}\n'), {
  path: '/spec/metricsCollectorSpec/source/filter/metricsFormat/0', at: '"loss=', says: ['has fewer than two groups', 'first group for the metric name'],
})
valid('Go-style named groups in a filter are accepted', withCollector('    source: {filter: {metricsFormat: ["(?P<name>\\\\w+)=(?P<value>\\\\d+)"]}}\n'))

// --- collecting -----------------------------------------------------------------------------

test('a document with several errors lists each of them', () => {
  const text = edit(
    JOB,
    ['  name: demo', '  name: Demo'],
    ['  maxTrialCount: 6', '  maxTrialCount: 0'],
    ['        min: "0.01"\n        max: "0.05"', '        min: "0.9"\n        max: "0.5"'],
    ['        min: "1"', '        min: "x"'],
    ['        list: ["sgd", "adam"]', '        list: []'],
  )
  const paths = parse(text).issues.map((i) => i.path)
  assert.deepEqual(paths, ['/metadata/name', '/spec/maxTrialCount', '/spec/parameters/0/feasibleSpace/min', '/spec/parameters/1/feasibleSpace/min', '/spec/parameters/2/feasibleSpace/list'])
})

test('several structural errors are listed together too', () => {
  const text = edit(JOB, ['  maxTrialCount: 6', '  maxTrialCount: six'], ['    type: minimize', '    type: lower'], ['  parallelTrialCount: 2', '  paralelTrialCount: 2'])
  assert.deepEqual(parse(text).issues.map((i) => i.path), ['/spec/objective/type', '/spec/paralelTrialCount', '/spec/maxTrialCount'])
})

test('validateExperiment can be run on an experiment object directly', () => {
  const experiment = parse(JOB).experiment!
  assert.deepEqual(validateExperiment(experiment), { issues: [], warnings: [] })
  const broken = structuredClone(experiment)
  broken.spec.parameters![0].feasibleSpace.step = '-1'
  assert.deepEqual(validateExperiment(broken).issues.map((i) => i.path), ['/spec/parameters/0/feasibleSpace/step'])
})

// The property test of POST /api/v1/experiments found it: the queued-trials check read
// metadata.annotations of a document without metadata, and the submission answered 500.
rule('a document without metadata is refused at /metadata, nothing else read from it',
  edit(LOCAL, ['metadata:\n  name: local\n', '']),
  { path: '/metadata', at: { line: 1, col: 1 }, says: ['metadata', 'missing'] })
