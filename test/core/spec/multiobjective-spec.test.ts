/**
 * The multi-objective extension of the Experiment (docs/multiobjective.md): further objectives,
 * constraints, their defaults, and what is refused, each at its line and column.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseExperimentYaml } from '../../../core/spec/index.ts'
import { metricNames, strategyFor } from '../../../core/spec/index.ts'
import { constraintsOf, objectivesOf, parseConstraint, toMinimized } from '../../../core/multiobjective/objectives.ts'
import { constraintViolations, objectiveValues } from '../../../core/multiobjective/trial-vector.ts'
import { checkExperimentYaml } from '../../../suggestion/check-experiment.ts'
import { positionOf } from './spec-test-kit.ts'

function doc(objective: string, extra = '', algorithm = 'random'): string {
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: mo
spec:
  objective:
${objective.replace(/^/gm, '    ')}
  algorithm:
    algorithmName: ${algorithm}
${extra}  maxTrialCount: 4
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: {min: "0.01", max: "0.1", step: "0.01"}
`
}

const TWO = `type: maximize
objectiveMetricName: accuracy
objectives:
  - metric: latency_ms
    direction: Minimize
constraints:
  - "latency_ms <= 50"
  - memory_mb>=2048`

test('a second objective and constraints: the objective list, defaults, collected metrics and the Katib warning', () => {
  const text = doc(TWO)
  const parsed = parseExperimentYaml(text)
  assert.deepEqual(parsed.issues, [])
  const experiment = parsed.experiment!
  assert.deepEqual(objectivesOf(experiment.spec.objective), [
    { metric: 'accuracy', direction: 'maximize' },
    { metric: 'latency_ms', direction: 'minimize' },
  ])
  assert.deepEqual(constraintsOf(experiment.spec.objective).map(({ metric, op, bound }) => ({ metric, op, bound })), [
    { metric: 'latency_ms', op: '<=', bound: 50 },
    { metric: 'memory_mb', op: '>=', bound: 2048 },
  ])
  // Collected without being listed in additionalMetricNames; each objective by its own direction.
  assert.deepEqual(metricNames(experiment), ['accuracy', 'latency_ms', 'memory_mb'])
  assert.equal(strategyFor(experiment, 'accuracy'), 'max')
  assert.equal(strategyFor(experiment, 'latency_ms'), 'min')
  assert.equal(strategyFor(experiment, 'memory_mb'), 'latest')
  assert.deepEqual(parsed.warnings.filter((w) => w.path.startsWith('/spec/objective')).map((w) => [w.path, w.line, w.col]), [
    ['/spec/objective/objectives', ...Object.values(positionOf(text, 'objectives:'))],
    ['/spec/objective/constraints', ...Object.values(positionOf(text, 'constraints:'))],
  ])
  assert.match(parsed.warnings.find((w) => w.path === '/spec/objective/objectives')!.message, /Katib itself would refuse/)
})

test('objectives alone: the first entry becomes objectiveMetricName and type', () => {
  const parsed = parseExperimentYaml(doc(`objectives:
  - metric: loss
    direction: MINIMIZE
  - metric: size
    direction: minimize`))
  assert.deepEqual(parsed.issues, [])
  const objective = parsed.experiment!.spec.objective
  assert.equal(objective.objectiveMetricName, 'loss')
  assert.equal(objective.type, 'minimize')
  assert.deepEqual(objectivesOf(objective).map((o) => o.metric), ['loss', 'size'])
})

test('an entry repeating objectiveMetricName with its direction is the first objective, not a second', () => {
  const parsed = parseExperimentYaml(doc(`type: minimize
objectiveMetricName: loss
objectives:
  - metric: loss
    direction: minimize`))
  assert.deepEqual(parsed.issues, [])
  assert.equal(objectivesOf(parsed.experiment!.spec.objective).length, 1)
})

function refused(text: string, path: string, snippet: string | [string, number], ...says: RegExp[]): void {
  const parsed = parseExperimentYaml(text)
  assert.equal(parsed.experiment, undefined)
  const issue = parsed.issues.find((i) => i.path === path)
  assert.ok(issue, `no issue at ${path}: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`)
  const [s, nth] = typeof snippet === 'string' ? [snippet, 0] : snippet
  assert.deepEqual({ line: issue.line, col: issue.col }, positionOf(text, s, nth))
  for (const pattern of says) assert.match(issue.message, pattern)
}

test('refused at their place: a bad constraint, a duplicate, a contradicting direction, a bad direction, goal and early stopping with several objectives', () => {
  refused(doc(`type: minimize
objectiveMetricName: loss
constraints:
  - "latency < 50"`), '/spec/objective/constraints/0', '"latency < 50"', /METRIC <= NUMBER/, /METRIC >= NUMBER/)
  refused(doc(`type: minimize
objectiveMetricName: loss
constraints:
  - "latency <= fast"`), '/spec/objective/constraints/0', '"latency <= fast"', /not understood/)
  refused(doc(`type: minimize
objectiveMetricName: loss
objectives:
  - metric: size
    direction: minimize
  - metric: size
    direction: maximize`), '/spec/objective/objectives/1/metric', ['metric: size', 1], /already objective/)
  refused(doc(`type: minimize
objectiveMetricName: loss
objectives:
  - metric: loss
    direction: maximize`), '/spec/objective/objectives/0/direction', 'direction: maximize', /objectiveMetricName/, /one direction/)
  refused(doc(`type: minimize
objectiveMetricName: loss
objectives:
  - metric: size
    direction: smaller`), '/spec/objective/objectives/0/direction', 'direction: smaller')
  refused(doc(`type: minimize
goal: 0.1
objectiveMetricName: loss
objectives:
  - metric: size
    direction: minimize`), '/spec/objective/goal', 'goal: 0.1', /Pareto front/, /maxTrialCount/)
  refused(doc(`type: minimize
objectiveMetricName: loss
objectives:
  - metric: size
    direction: minimize`, `  earlyStopping:
    algorithmName: medianstop
`), '/spec/earlyStopping/algorithmName', 'algorithmName: medianstop', /one objective/)
})

test('referencePoint: one finite value per objective, and only with several objectives', () => {
  refused(doc(`type: minimize
objectiveMetricName: loss
objectives: [{metric: size, direction: minimize}]
referencePoint: [1, 2, 3]`), '/spec/objective/referencePoint', 'referencePoint', /3 values and there are 2 objectives \(loss, size\)/)
  refused(doc(`type: minimize
objectiveMetricName: loss
referencePoint: [1]`), '/spec/objective/referencePoint', 'referencePoint', /one; remove it/)
  assert.deepEqual(parseExperimentYaml(doc(`type: minimize
objectiveMetricName: loss
objectives: [{metric: size, direction: minimize}]
referencePoint: [1, 20]`)).issues, [])
})

test('a goal and early stopping stay allowed with constraints on a single objective', () => {
  const parsed = parseExperimentYaml(doc(`type: minimize
goal: 0.1
objectiveMetricName: loss
constraints: ["size <= 3"]`, `  earlyStopping:
    algorithmName: medianstop
`))
  assert.deepEqual(parsed.issues, [])
})

test('an algorithm that optimises one objective is refused for several, with the list of those that accept them', () => {
  const text = doc(TWO, '', 'cmaes')
  const checked = checkExperimentYaml(text)
  assert.equal(checked.experiment, undefined)
  const issue = checked.issues.find((i) => i.path === '/spec/algorithm/algorithmName')!
  assert.ok(issue, JSON.stringify(checked.issues))
  assert.deepEqual({ line: issue.line, col: issue.col }, positionOf(text, 'algorithmName: cmaes'))
  assert.match(issue.message, /"cmaes" optimises one objective/)
  for (const name of ['random', 'sobol', 'grid']) assert.match(issue.message, new RegExp(`\\b${name}\\b`))
  for (const name of ['random', 'sobol', 'grid']) assert.deepEqual(checkExperimentYaml(doc(TWO, '', name)).issues, [])
  // Constraints alone are fine for every algorithm.
  assert.deepEqual(checkExperimentYaml(doc(`type: minimize
objectiveMetricName: loss
constraints: ["size <= 3"]`, '', 'cmaes')).issues, [])
})

test('a trial\'s vector and violations from its metric summaries', () => {
  const experiment = parseExperimentYaml(doc(TWO)).experiment!
  const objective = experiment.spec.objective
  const summary = (min: number, max: number, latest: number) => ({ min, max, latest })
  const metrics = { accuracy: summary(0.5, 0.9, 0.8), latency_ms: summary(40, 70, 60), memory_mb: summary(1000, 3000, 2500) }
  assert.deepEqual(objectiveValues(objective, metrics), [0.9, 40])
  // A told first objective wins over the strategy's pick.
  assert.deepEqual(objectiveValues(objective, metrics, 0.85), [0.85, 40])
  // latency_ms is reduced by its objective strategy (min), memory by latest: 40 - 50, 2048 - 2500.
  assert.deepEqual(constraintViolations(objective, metrics), [-10, -452])
  assert.deepEqual(constraintViolations(objective, { accuracy: summary(1, 1, 1) }), [Infinity, Infinity])
  assert.equal(objectiveValues(objective, { accuracy: summary(1, 1, 1) }), undefined)
  assert.deepEqual(toMinimized([0.9, 40], ['maximize', 'minimize']), [-0.9, 40])
  assert.equal(parseConstraint('a <= 1e3')?.bound, 1000)
  assert.equal(parseConstraint('a == 1'), undefined)
  assert.equal(parseConstraint('<= 1'), undefined)
})
