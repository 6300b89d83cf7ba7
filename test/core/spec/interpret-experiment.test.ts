/** What a parsed experiment means: Katib's defaults, the search space, rendered trials. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyDefaults, metricNames, renderTrialTemplate, strategyFor, toSearchSpace, type Experiment, type RenderedLocalTemplate } from '../../../core/spec/index.ts'
import { trialAssignments } from '../../../core/spec/to-search-space.ts'
import { JOB, LOCAL, edit, example, experimentOf, parse } from './spec-test-kit.ts'

// --- Katib defaults (apply-defaults.ts) ------------------------------------------------

/** JOB with its trialSpec kind replaced (and, for Kubeflow kinds, nothing else needed). */
function withKind(kind: string, apiVersion = 'kubeflow.org/v1'): Experiment {
  return experimentOf(edit(JOB, ['      apiVersion: batch/v1\n      kind: Job', `      apiVersion: ${apiVersion}\n      kind: ${kind}`]))
}

const JOB_SUCCESS = 'status.conditions.#(type=="Complete")#|#(status=="True")#'
const KUBEFLOW_SUCCESS = 'status.conditions.#(type=="Succeeded")#|#(status=="True")#'
const FAILURE = 'status.conditions.#(type=="Failed")#|#(status=="True")#'

test('parallelTrialCount defaults to 3 and a given value is kept', () => {
  assert.equal(experimentOf(edit(JOB, ['  parallelTrialCount: 2\n', ''])).spec.parallelTrialCount, 3)
  assert.equal(experimentOf(JOB).spec.parallelTrialCount, 2)
})

test('resumePolicy defaults to Never (not LongRunning as Katib\'s comment says)', () => {
  assert.equal(experimentOf(JOB).spec.resumePolicy, 'Never')
  assert.equal(experimentOf(edit(JOB, ['  maxTrialCount: 6\n', '  maxTrialCount: 6\n  resumePolicy: LongRunning\n'])).spec.resumePolicy, 'LongRunning')
})

test('every parameter gets distribution uniform unless it has one', () => {
  const e = experimentOf(edit(JOB, ['        max: "0.05"\n', '        max: "0.05"\n        distribution: logUniform\n']))
  assert.deepEqual(e.spec.parameters!.map((p) => p.feasibleSpace.distribution), ['logUniform', 'uniform', 'uniform'])
})

test('metric strategies: min for minimize, for the objective and each additional metric without one', () => {
  const e = experimentOf(JOB)
  assert.deepEqual(e.spec.objective.metricStrategies, [{ name: 'loss', value: 'min' }, { name: 'accuracy', value: 'min' }])
})

test('metric strategies: max for maximize, and explicit strategies are kept, not duplicated', () => {
  const text = edit(
    JOB,
    ['    type: minimize', '    type: maximize'],
    ['      - accuracy\n', '      - accuracy\n      - time\n    metricStrategies:\n      - {name: accuracy, value: latest}\n'],
  )
  const e = experimentOf(text)
  assert.deepEqual(e.spec.objective.metricStrategies, [
    { name: 'accuracy', value: 'latest' },
    { name: 'loss', value: 'max' },
    { name: 'time', value: 'max' },
  ])
})

test('metricsCollectorSpec is created with collector kind StdOut when absent', () => {
  assert.deepEqual(experimentOf(JOB).spec.metricsCollectorSpec, { collector: { kind: 'StdOut' } })
})

test('collector kind File defaults fileSystemPath kind File, path /var/log/katib/metrics.log, format TEXT', () => {
  const e = experimentOf(edit(JOB, ['  maxFailedTrialCount: 2\n', '  maxFailedTrialCount: 2\n  metricsCollectorSpec:\n    collector: {kind: File}\n']))
  assert.deepEqual(e.spec.metricsCollectorSpec?.source?.fileSystemPath, { kind: 'File', path: '/var/log/katib/metrics.log', format: 'TEXT' })
  const given = experimentOf(edit(JOB, ['  maxFailedTrialCount: 2\n', '  maxFailedTrialCount: 2\n  metricsCollectorSpec:\n    collector: {kind: File}\n    source: {fileSystemPath: {path: /out/m.json, format: JSON}}\n']))
  assert.deepEqual(given.spec.metricsCollectorSpec?.source?.fileSystemPath, { kind: 'File', path: '/out/m.json', format: 'JSON' })
})

test('collector kind TensorFlowEvent defaults fileSystemPath kind Directory and path /var/log/katib/tfevent/', () => {
  const e = experimentOf(edit(JOB, ['  maxFailedTrialCount: 2\n', '  maxFailedTrialCount: 2\n  metricsCollectorSpec:\n    collector: {kind: TensorFlowEvent}\n']))
  assert.deepEqual(e.spec.metricsCollectorSpec?.source?.fileSystemPath, { kind: 'Directory', path: '/var/log/katib/tfevent/' })
})

test('collector kind PrometheusMetric defaults httpGet to /metrics on port 8080', () => {
  const e = experimentOf(edit(JOB, ['  maxFailedTrialCount: 2\n', '  maxFailedTrialCount: 2\n  metricsCollectorSpec:\n    collector: {kind: PrometheusMetric}\n']))
  assert.deepEqual(e.spec.metricsCollectorSpec?.source?.httpGet, { path: '/metrics', port: 8080 })
})

test('a Job trialSpec gets the Job success and failure conditions and no primary pod labels', () => {
  const t = experimentOf(JOB).spec.trialTemplate!
  assert.equal(t.successCondition, JOB_SUCCESS)
  assert.equal(t.failureCondition, FAILURE)
  assert.equal(t.primaryPodLabels, undefined)
})

test('TFJob, PyTorchJob, XGBoostJob and MPIJob get Succeeded conditions and the master pod label', () => {
  for (const kind of ['TFJob', 'PyTorchJob', 'XGBoostJob', 'MPIJob']) {
    const t = withKind(kind).spec.trialTemplate!
    assert.equal(t.successCondition, KUBEFLOW_SUCCESS, kind)
    assert.equal(t.failureCondition, FAILURE, kind)
    assert.deepEqual(t.primaryPodLabels, { 'training.kubeflow.org/job-role': 'master' }, kind)
  }
})

test('TrainJob gets Complete conditions and the jobset node-0 pod labels', () => {
  const t = withKind('TrainJob', 'trainer.kubeflow.org/v1alpha1').spec.trialTemplate!
  assert.equal(t.successCondition, JOB_SUCCESS)
  assert.equal(t.failureCondition, FAILURE)
  assert.deepEqual(t.primaryPodLabels, { 'jobset.sigs.k8s.io/replicatedjob-name': 'node', 'batch.kubernetes.io/job-completion-index': '0' })
})

test('given conditions and pod labels are never overwritten', () => {
  const text = edit(
    JOB,
    ['      apiVersion: batch/v1\n      kind: Job', '      apiVersion: kubeflow.org/v1\n      kind: PyTorchJob'],
    ['    primaryContainerName: training\n', '    primaryContainerName: training\n    successCondition: status.done\n    primaryPodLabels: {role: chief}\n'],
  )
  const t = experimentOf(text).spec.trialTemplate!
  assert.equal(t.successCondition, 'status.done')
  assert.equal(t.failureCondition, FAILURE)
  assert.deepEqual(t.primaryPodLabels, { role: 'chief' })
})

test('conditions are not defaulted for a ConfigMap template or an unknown kind', () => {
  const base = experimentOf(JOB)
  const configMap = structuredClone(base)
  delete configMap.spec.trialTemplate!.trialSpec
  delete configMap.spec.trialTemplate!.successCondition
  delete configMap.spec.trialTemplate!.failureCondition
  configMap.spec.trialTemplate!.configMap = { configMapName: 'c', configMapNamespace: 'n', templatePath: 'p' }
  const t = applyDefaults(configMap).spec.trialTemplate!
  assert.equal(t.successCondition, undefined)
  assert.equal(t.failureCondition, undefined)
  const workflow = structuredClone(configMap)
  delete workflow.spec.trialTemplate!.configMap
  workflow.spec.trialTemplate!.trialSpec = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow' }
  const w = applyDefaults(workflow).spec.trialTemplate!
  assert.equal(w.successCondition, undefined)
  assert.equal(w.primaryPodLabels, undefined)
})

test('the command form defaults trialParameters to one per parameter, by the parameter\'s name', () => {
  const e = experimentOf(LOCAL)
  assert.deepEqual(e.spec.trialTemplate!.trialParameters, [{ name: 'lr', reference: 'lr' }, { name: 'epochs', reference: 'epochs' }])
  assert.equal(e.spec.trialTemplate!.successCondition, undefined)
})

test('applyDefaults returns a new object and leaves its input alone', () => {
  const input = experimentOf(JOB)
  delete input.spec.parallelTrialCount
  delete input.spec.metricsCollectorSpec
  const before = structuredClone(input)
  const output = applyDefaults(input)
  assert.deepEqual(input, before)
  assert.equal(output.spec.parallelTrialCount, 3)
  assert.deepEqual(applyDefaults(output), output, 'defaults are idempotent')
})

// --- search space and metrics (to-search-space.ts) -------------------------------------

const SPACE = edit(
  JOB,
  ['        max: "0.05"\n', '        max: "0.05"\n        step: "0.01"\n        distribution: logUniform\n'],
  ['      parameterType: categorical\n      feasibleSpace:\n        list: ["sgd", "adam"]', '      parameterType: categorical\n      feasibleSpace:\n        list: ["sgd", "adam"]\n    - name: batch\n      parameterType: discrete\n      feasibleSpace:\n        list: ["16", "32", "6.4e1"]'],
  ['        reference: optimizer\n', '        reference: optimizer\n      - name: batch\n        reference: batch\n'],
  ['                  - --optimizer=${trialParameters.optimizer}\n', '                  - --optimizer=${trialParameters.optimizer}\n                  - --batch=${trialParameters.batch}\n'],
)

test('toSearchSpace parses Katib\'s strings into numbers and fills defaults', () => {
  const parsed = parse(SPACE)
  assert.deepEqual(parsed.issues, [])
  assert.deepEqual(toSearchSpace(parsed.experiment!), [
    { name: 'lr', type: 'double', min: 0.01, max: 0.05, step: 0.01, distribution: 'logUniform' },
    { name: 'layers', type: 'int', min: 1, max: 4, distribution: 'uniform' },
    { name: 'optimizer', type: 'categorical', choices: ['sgd', 'adam'] },
    // "6.4e1" prints as 64: the written list is kept for the trial (formatAssignment).
    { name: 'batch', type: 'discrete', choices: [16, 32, 64], written: ['16', '32', '6.4e1'] },
  ])
})

test('trialAssignments: a discrete value as written in its list, other values as Katib prints them', () => {
  const experiment = parse(SPACE).experiment!
  assert.deepEqual(trialAssignments(experiment, { lr: 0.030000000000000002, layers: 2, optimizer: 'adam', batch: 64 }), { lr: '0.03', layers: '2', optimizer: 'adam', batch: '6.4e1' })
  // A value matched as Katib prints it, one outside the list, and a parameter outside the space.
  assert.deepEqual(trialAssignments(experiment, { batch: 64.00000000000001 }), { batch: '6.4e1' })
  assert.deepEqual(trialAssignments(experiment, { batch: 48, other: 0.5 }), { batch: '48', other: '0.5' })
  // A list that prints as written needs no copy of it.
  const plain = toSearchSpace(parse(edit(SPACE, ['"6.4e1"', '"64"'])).experiment!)[3]
  assert.deepEqual(plain, { name: 'batch', type: 'discrete', choices: [16, 32, 64] })
})

test('an int parameter without a step has step undefined (meaning 1)', () => {
  const layers = toSearchSpace(parse(JOB).experiment!)[1]
  assert.equal(layers.type, 'int')
  assert.equal('step' in layers, false)
})

test('toSearchSpace of an experiment without parameters (NAS) is empty', () => {
  const experiment = structuredClone(parse(JOB).experiment!)
  delete experiment.spec.parameters
  assert.deepEqual(toSearchSpace(experiment), [])
})

test('toSearchSpace refuses an unvalidated bound rather than inventing a number', () => {
  const experiment = structuredClone(parse(JOB).experiment!)
  experiment.spec.parameters![0].feasibleSpace.min = 'abc'
  assert.throws(() => toSearchSpace(experiment), /parameter "lr": "abc" is not a number/)
})

test('metricNames lists the objective first, then the additional metrics', () => {
  const text = edit(JOB, ['      - accuracy\n', '      - accuracy\n      - time\n'])
  assert.deepEqual(metricNames(parse(text).experiment!), ['loss', 'accuracy', 'time'])
})

test('strategyFor returns the explicit strategy, else the objective direction', () => {
  const text = edit(JOB, ['      - accuracy\n', '      - accuracy\n      - time\n    metricStrategies:\n      - {name: accuracy, value: latest}\n'])
  const experiment = parse(text).experiment!
  assert.equal(strategyFor(experiment, 'loss'), 'min')
  assert.equal(strategyFor(experiment, 'accuracy'), 'latest')
  assert.equal(strategyFor(experiment, 'time'), 'min')
  const maximize = parse(edit(JOB, ['    type: minimize', '    type: maximize'])).experiment!
  assert.equal(strategyFor(maximize, 'loss'), 'max')
  // Even on an experiment whose defaults were never applied.
  const bare = structuredClone(maximize)
  delete bare.spec.objective.metricStrategies
  assert.equal(strategyFor(bare, 'accuracy'), 'max')
})

// --- trial template rendering (render-template.ts) -------------------------------------


interface Container { command: string[]; env: { name: string; value: string }[] }
const containerOf = (manifest: unknown): Container => (manifest as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers[0]

test('trial-metadata-substitution.yaml: parameters and every metadata reference are substituted', () => {
  const experiment = example('trial-template/trial-metadata-substitution.yaml')
  const manifest = renderTrialTemplate(experiment, { name: 'trial-metadata-substitution-x1', namespace: 'team-a', assignments: { lr: '0.02', momentum: '0.7' } }) as Record<string, unknown>
  const container = containerOf(manifest)
  assert.deepEqual(container.command, ['python3', '/opt/pytorch-mnist/mnist.py', '--epochs=1', '--batch-size=16', '--lr=0.02', '--momentum=0.7'])
  assert.deepEqual(Object.fromEntries(container.env.map((e) => [e.name, e.value])), {
    TRIAL_NAME: 'trial-metadata-substitution-x1',
    TRIAL_NAMESPACE: 'team-a',
    TRIAL_KIND: 'Job',
    TRIAL_API_VERSION: 'batch/v1',
    TRIAL_LABEL_CUSTOM: 'custom-label',
    TRIAL_ANNOTATION_CUSTOM: 'custom-annotation',
  })
  assert.deepEqual(manifest.metadata, {
    annotations: { 'custom-key': 'custom-annotation' },
    labels: { 'custom-key': 'custom-label' },
    name: 'trial-metadata-substitution-x1',
    namespace: 'team-a',
  })
  assert.ok(!JSON.stringify(manifest).includes('${'), 'no placeholder is left')
  // The experiment itself is not modified by rendering.
  assert.ok(JSON.stringify(experiment.spec.trialTemplate!.trialSpec).includes('${trialParameters.trialName}'))
})

test('a value with quotes, backslashes and placeholders can neither break nor inject JSON structure', () => {
  const experiment = experimentOf(JOB)
  const nasty = 'a"b\\c", "injected": "x ${trialParameters.layers} ${trialSpec.Name} \n'
  const manifest = renderTrialTemplate(experiment, { name: 't1', namespace: 'ns', assignments: { lr: nasty, layers: '3', optimizer: 'adam' } })
  const container = containerOf(manifest)
  assert.deepEqual(container.command, ['python3', 'train.py', `--lr=${nasty}`, '--layers=3', '--optimizer=adam'])
  assert.equal(Object.keys(container).includes('injected'), false)
})

test('a trialSpec manifest gets the trial\'s name and namespace and keeps the rest', () => {
  const manifest = renderTrialTemplate(experimentOf(JOB), { name: 'demo-abc', namespace: 'kubeflow', assignments: { lr: '0.01', layers: '2', optimizer: 'sgd' } }) as Record<string, unknown>
  assert.deepEqual(manifest.metadata, { name: 'demo-abc', namespace: 'kubeflow' })
  assert.equal(manifest.kind, 'Job')
  assert.equal((manifest as { spec: { template: { spec: { restartPolicy: string } } } }).spec.template.spec.restartPolicy, 'Never')
})

test('a missing assignment is an error naming the parameter', () => {
  assert.throws(
    () => renderTrialTemplate(experimentOf(JOB), { name: 't', namespace: 'n', assignments: { lr: '0.01', layers: '2' } }),
    /trial t has no assignment for parameter "optimizer" \(needed by \$\{trialParameters\.optimizer\}\); it has: lr, layers/,
  )
})

test('a metadata reference to a missing label is an error naming the key', () => {
  const experiment = example('trial-template/trial-metadata-substitution.yaml')
  const metadata = experiment.spec.trialTemplate!.trialSpec!.metadata as { labels: Record<string, string> }
  delete metadata.labels['custom-key']
  assert.throws(
    () => renderTrialTemplate(experiment, { name: 't', namespace: 'n', assignments: { lr: '0.02', momentum: '0.7' } }),
    /\$\{trialSpec\.Labels\[custom-key\]\}.*metadata\.labels has no key "custom-key"/,
  )
})

test('the command form renders argv (one element per argument, no shell) and env', () => {
  const text = `${LOCAL}    env:\n      - {name: LR, value: "\${trialParameters.lr}"}\n      - {name: FIXED, value: "1"}\n    workingDir: "/runs/\${trialParameters.epochs}"\n    activeDeadlineSeconds: 60\n`
  const rendered = renderTrialTemplate(experimentOf(text), { name: 'local-1', namespace: 'default', assignments: { lr: '0.05; rm -rf /', epochs: '2' } }) as RenderedLocalTemplate
  assert.deepEqual(rendered, {
    command: ['python3', 'train.py', '--lr=0.05; rm -rf /', '--epochs', '2'],
    env: [{ name: 'LR', value: '0.05; rm -rf /' }, { name: 'FIXED', value: '1' }],
    workingDir: '/runs/2',
    activeDeadlineSeconds: 60,
  })
})

test('the command form resolves the trial\'s Name and Namespace and never re-expands values', () => {
  const text = edit(LOCAL, ['    command: [', '    trialParameters:\n      - {name: lr, reference: lr}\n      - {name: epochs, reference: epochs}\n      - {name: trial, reference: "${trialSpec.Name}"}\n      - {name: ns, reference: "${trialSpec.Namespace}"}\n    command: ["--trial=${trialParameters.trial}", "--ns=${trialParameters.ns}", '])
  const rendered = renderTrialTemplate(experimentOf(text), { name: 'local-7', namespace: 'lab', assignments: { lr: '${trialParameters.epochs}', epochs: '1' } }) as RenderedLocalTemplate
  assert.deepEqual(rendered.command, ['--trial=local-7', '--ns=lab', 'python3', 'train.py', '--lr=${trialParameters.epochs}', '--epochs', '1'])
  assert.deepEqual(rendered.env, [])
  assert.equal('workingDir' in rendered, false)
})

test('a configMap template renders from its text, and says what it needs without it', () => {
  const experiment = example('trial-template/trial-configmap-source.yaml')
  const trial = { name: 'cm-1', namespace: 'kubeflow', assignments: { lr: '0.02', 'num-layers': '3', optimizer: 'adam' } }
  assert.throws(() => renderTrialTemplate(experiment, trial), /ConfigMap kubeflow\/trial-templates; pass its text as configMapTemplate/)
  const template = 'apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n        - name: training-container\n          command: [python3, "--lr=${trialParameters.learningRate}", "--num-layers=${trialParameters.numberLayers}", "--optimizer=${trialParameters.optimizer}"]\n'
  const manifest = renderTrialTemplate(experiment, trial, template) as Record<string, unknown>
  assert.deepEqual(containerOf(manifest).command, ['python3', '--lr=0.02', '--num-layers=3', '--optimizer=adam'])
  assert.deepEqual(manifest.metadata, { name: 'cm-1', namespace: 'kubeflow' })
  assert.throws(() => renderTrialTemplate(experiment, trial, 'a: [1'), /key "defaultTrialTemplate.yaml" is not valid YAML/)
})

test('the ENAS example renders NAS assignments into its quoted arguments', () => {
  const experiment = example('nas/enas-cpu.yaml')
  const architecture = "[[3], [0, 1]]"
  const config = '{"num_layers": 1, "input_sizes": [32, 32, 3]}'
  const manifest = renderTrialTemplate(experiment, { name: 'enas-1', namespace: 'kubeflow', assignments: { architecture, nn_config: config } })
  const command = containerOf(manifest).command
  assert.equal(command[4], `--architecture="${architecture}"`)
  assert.equal(command[5], `--nn_config="${config}"`)
})
