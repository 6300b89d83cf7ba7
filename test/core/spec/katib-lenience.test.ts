/**
 * What Katib's Go code accepts because it cannot tell "" from absent (templated YAML writes
 * `format: ""`), what it accepts and ignores (warnings here), and Go regexp filters: refused at
 * validate, with the reason, when they cannot be run.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateExperimentObject } from '../../../core/spec/index.ts'
import { JOB, LOCAL, assertMentions, edit, parse, positionOf } from './spec-test-kit.ts'

const collector = (text: string) => edit(LOCAL, ['  maxTrialCount: 4\n', `  maxTrialCount: 4\n  metricsCollectorSpec:\n${text}`])

function valid(text: string) {
  const parsed = parse(text)
  assert.deepEqual(parsed.issues, [])
  assert.ok(parsed.experiment)
  return parsed
}

test('empty resumePolicy, distribution and step are defaulted as Katib does, not refused', () => {
  const text = edit(
    LOCAL,
    ['  maxTrialCount: 4\n', '  maxTrialCount: 4\n  resumePolicy: ""\n'],
    ['feasibleSpace: {min: 0.01, max: 0.1}', 'feasibleSpace: {min: 0.01, max: 0.1, distribution: "", step: ""}'],
  )
  const { experiment, warnings } = valid(text)
  assert.deepEqual(warnings, [])
  assert.equal(experiment!.spec.resumePolicy, 'Never')
  assert.deepEqual(experiment!.spec.parameters![0]!.feasibleSpace, { min: '0.01', max: '0.1', distribution: 'uniform' })
})

test('an empty fileSystemPath kind, format and path of a File collector get Katib\'s defaults', () => {
  const { experiment } = valid(collector('    collector: {kind: File}\n    source:\n      fileSystemPath: {kind: "", format: "", path: ""}\n'))
  assert.deepEqual(experiment!.spec.metricsCollectorSpec!.source!.fileSystemPath, { kind: 'File', format: 'TEXT', path: '/var/log/katib/metrics.log' })
})

test('an empty format is what Katib requires of a TensorFlowEvent collector; an empty kind is defaulted to Directory', () => {
  const { experiment } = valid(collector('    collector: {kind: TensorFlowEvent}\n    source:\n      fileSystemPath: {kind: "", format: "", path: runs}\n'))
  assert.deepEqual(experiment!.spec.metricsCollectorSpec!.source!.fileSystemPath, { kind: 'Directory', path: 'runs' })
})

test('an empty namespace is no namespace, as in Kubernetes', () => {
  const { experiment } = valid(edit(JOB, ['  namespace: kubeflow', '  namespace: ""']))
  assert.equal(experiment!.metadata.namespace, undefined)
})

test('the same through the object entry point (JSON bodies of the API)', () => {
  const parsed = parse(edit(LOCAL, ['  maxTrialCount: 4\n', '  maxTrialCount: 4\n  resumePolicy: ""\n']))
  const raw = structuredClone(parsed.experiment!) as unknown as { spec: Record<string, unknown> }
  raw.spec.resumePolicy = ''
  const result = validateExperimentObject(raw)
  assert.deepEqual(result.issues, [])
  assert.equal(result.experiment!.spec.resumePolicy, 'Never')
})

test('empty strings Katib refuses stay errors: objective type, parameterType, collector kind, a Custom collector\'s path kind', () => {
  const cases: [string, string][] = [
    [edit(LOCAL, ['    type: maximize', '    type: ""']), '/spec/objective/type'],
    [edit(LOCAL, ['      parameterType: int', '      parameterType: ""']), '/spec/parameters/1/parameterType'],
    [collector('    collector: {kind: ""}\n'), '/spec/metricsCollectorSpec/collector/kind'],
    [collector('    collector: {kind: Custom, customCollector: {name: c, image: x}}\n    source:\n      fileSystemPath: {kind: "", path: /m}\n'), '/spec/metricsCollectorSpec/source/fileSystemPath/kind'],
  ]
  for (const [text, path] of cases) assert.deepEqual(parse(text).issues.map((i) => i.path), [path], path)
})

test('a Go filter that cannot be run is refused at its metricsFormat entry, with the reason', () => {
  const text = collector('    source:\n      filter:\n        metricsFormat:\n          - "([\\\\w|-]+)=(\\\\d+)"\n          - "(?=loss)(\\\\w+)=(\\\\d+)"\n          - "(loss)=(?i:(\\\\p{Lu}+))"\n')
  const { issues } = parse(text)
  assert.deepEqual(issues.map((i) => i.path), ['/spec/metricsCollectorSpec/source/filter/metricsFormat/1', '/spec/metricsCollectorSpec/source/filter/metricsFormat/2'])
  assert.deepEqual({ line: issues[0]!.line, col: issues[0]!.col }, positionOf(text, '"(?=loss)'))
  assertMentions(issues[0]!.message, 'is not a valid regular expression', "Go's regexp", 'invalid or unsupported Perl syntax: `(?=`', 'no lookahead')
  assertMentions(issues[1]!.message, 'cannot be run here', 'Node 20', 'put (?i) at the very start')
})

test('Go filters JavaScript would refuse or misread are accepted: flags anywhere, \\Q...\\E, POSIX classes, named groups', () => {
  const text = collector('    source:\n      filter:\n        metricsFormat:\n          - "(?i)(loss)=(\\\\d+)"\n          - "(\\\\Qval[acc]\\\\E)(?i:=)([[:digit:].]+)"\n          - "(?P<name>\\\\pL+)=(?<value>\\\\d+)"\n')
  assert.deepEqual(valid(text).warnings, [])
})

test('a filter that passes Katib\'s parenthesis check but captures fewer than two groups is a warning: it never yields a metric', () => {
  const text = collector('    source:\n      filter:\n        metricsFormat: ["(?:loss)=(?:\\\\d+)"]\n')
  const { warnings } = valid(text)
  assert.deepEqual(warnings.map((w) => w.path), ['/spec/metricsCollectorSpec/source/filter/metricsFormat/0'])
  assertMentions(warnings[0]!.message, 'has 0 capturing groups', 'no metric is ever read')
})

test('a repeated additional metric is dropped with a warning where it stands', () => {
  const text = edit(JOB, ['      - accuracy\n', '      - accuracy\n      - f1\n      - accuracy\n'])
  const { experiment, warnings } = valid(text)
  assert.deepEqual(experiment!.spec.objective.additionalMetricNames, ['accuracy', 'f1'])
  assert.deepEqual(warnings.map((w) => [w.path, w.line]), [['/spec/objective/additionalMetricNames/2', positionOf(text, '- accuracy', 1).line]])
})
