import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkExperimentYaml } from '../../suggestion/check-experiment.ts'

const NAS = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: { name: nas-check }
spec:
  objective: { type: maximize, objectiveMetricName: accuracy }
  algorithm:
    algorithmName: ALGORITHM
  maxTrialCount: 12
  nasConfig:
    graphConfig: GRAPH
    operations:
      - operationType: dense
        parameters:
          - { name: units, parameterType: int, feasibleSpace: { min: "16", max: "64", step: "16" } }
      - operationType: identity
  trialTemplate:
    command: [node, trial.mjs, "--architecture=\${trialParameters.architecture}", "--nn_config=\${trialParameters.nn_config}"]
`
const GRAPH = '{ numLayers: 3, inputSizes: [64], outputSizes: [10] }'

function check(algorithm: string, edit: (yaml: string) => string = (y) => y) {
  return checkExperimentYaml(edit(NAS.replace('ALGORITHM', algorithm).replace('GRAPH', GRAPH)), 'nas.yaml')
}

test('an architecture search over nasConfig validates, and the command form references architecture and nn_config', () => {
  for (const algorithm of ['evolution', 'random']) {
    const checked = check(algorithm)
    assert.deepEqual(checked.issues, [], algorithm)
    assert.deepEqual(checked.unsupported, [])
    assert.deepEqual(checked.experiment!.spec.trialTemplate!.trialParameters, [{ name: 'architecture', reference: 'architecture' }, { name: 'nn_config', reference: 'nn_config' }])
  }
})

test('a hyperparameter algorithm given nasConfig is refused, naming the ones that work', () => {
  const [issue, ...rest] = check('tpe').issues
  assert.deepEqual(rest, [])
  assert.equal(issue!.path, '/spec/algorithm/algorithmName')
  assert.equal(issue!.line, 7)
  assert.match(issue!.message, /algorithm "tpe" searches spec\.parameters \(hyperparameters\), not an architecture; with spec\.nasConfig use darts, .*evolution.* or random/)
  assert.match(check('evolutoin').issues[0]!.message, /unknown architecture search algorithm "evolutoin"; did you mean "evolution"\?/)
})

test('an architecture search given spec.parameters is refused, saying what it searches', () => {
  const yaml = NAS.replace('ALGORITHM', 'evolution').replace(/  nasConfig:[\s\S]*?  trialTemplate:/, '  parameters:\n    - { name: lr, parameterType: double, feasibleSpace: { min: "0.1", max: "0.2" } }\n  trialTemplate:')
    .replace(/command: .*/, 'command: [node, trial.mjs, "--lr=${trialParameters.lr}"]')
  const [issue] = checkExperimentYaml(yaml, 'nas.yaml').issues
  assert.equal(issue!.path, '/spec/algorithm/algorithmName')
  assert.match(issue!.message, /algorithm "evolution" searches neural architectures \(spec\.nasConfig\), not hyperparameters/)
})

test('the graph an architecture search needs, at its line', () => {
  const checked = check('evolution', (y) => y.replace(GRAPH, '{ numLayers: 0, inputSizes: [64] }'))
  assert.deepEqual(checked.issues.map((i) => [i.path, i.line]), [['/spec/nasConfig/graphConfig/numLayers', 10], ['/spec/nasConfig/graphConfig/outputSizes', 10]])
  assert.match(checked.issues[0]!.message, /numLayers 0 is out of range; give 1 to 100 layers/)
  assert.match(checked.issues[1]!.message, /graphConfig\.outputSizes is missing or empty/)
})

test('a trialParameter referencing something the algorithm does not assign is refused, with a guess', () => {
  const checked = check('evolution', (y) => y.replace('${trialParameters.architecture}', '${trialParameters.a}')
    .replace('    command:', '    trialParameters: [{ name: a, reference: architecure }, { name: nn_config, reference: nn_config }]\n    command:'))
  const issue = checked.issues.find((i) => i.path === '/spec/trialTemplate/trialParameters/0/reference')
  assert.ok(issue, JSON.stringify(checked.issues))
  assert.match(issue.message, /reference "architecure" is not something algorithm "evolution" assigns; each trial gets architecture, nn_config: did you mean "architecture"\?/)
})

test('settings are checked as every algorithm\'s are', () => {
  const checked = check('evolution', (y) => y.replace('algorithmName: evolution', 'algorithmName: evolution\n    algorithmSettings: [{ name: population_size, value: "1" }]'))
  assert.equal(checked.issues[0]!.path, '/spec/algorithm/algorithmSettings/0/value')
})
