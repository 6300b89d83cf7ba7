import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InvalidSpecError } from '../../../core/errors.ts'
import { issueAt, loadExperimentFile, parseExperimentYaml, validateExperimentObject } from '../../../core/spec/index.ts'
import { JOB, LOCAL, assertMentions, edit, exampleFiles, exampleSets, exampleText, onlyIssue, parse, positionOf } from './spec-test-kit.ts'

// --- Katib's own examples: the conformance anchor ------------------------------------------

for (const set of exampleSets) {
  test(`all 33 Katib v1beta1 examples (${set.name}) parse and validate with zero issues`, { skip: set.skip }, () => {
    const files = exampleFiles(set.dir)
    assert.equal(files.length, 33, `expected the 33 examples of examples/v1beta1, found ${files.length}`)
    for (const file of files) {
      const parsed = parseExperimentYaml(exampleText(file, set.dir), file)
      assert.deepEqual(parsed.issues, [], `${file} has issues`)
      assert.ok(parsed.experiment, `${file} yields no experiment`)
      assert.equal(parsed.experiment.kind, 'Experiment')
      assert.ok(parsed.experiment.metadata.name, `${file} has a name`)
    }
  })
}

test('the two examples that break Katib webhook rules are accepted with a warning, the rest without', () => {
  const warned = exampleFiles().filter((file) => parseExperimentYaml(exampleText(file)).warnings.length > 0)
  assert.deepEqual(warned, ['hp-tuning/simple-pbt.yaml', 'tekton/pipeline-run.yaml'])
  const tekton = parseExperimentYaml(exampleText('tekton/pipeline-run.yaml'))
  assert.equal(tekton.warnings[0].path, '/spec/trialTemplate/trialParameters/0/name')
  assert.match(tekton.warnings[0].message, /learningRate.*never used/)
  assert.deepEqual([tekton.warnings[0].line, tekton.warnings[0].col], [38, 9])
})

// --- parsing ---------------------------------------------------------------------------------

test('a valid document yields a defaulted experiment and no issues', () => {
  const parsed = parse(JOB)
  assert.deepEqual(parsed.issues, [])
  assert.equal(parsed.experiment?.metadata.name, 'demo')
  assert.equal(parsed.experiment?.spec.resumePolicy, 'Never')
})

test('malformed YAML gives an issue with the line and column of the error, never a throw', () => {
  const text = edit(JOB, ['    goal: 0.001\n', '    goal: [0.001\n'])
  const parsed = parse(text)
  assert.equal(parsed.experiment, undefined)
  assert.ok(parsed.issues.length >= 1)
  const first = parsed.issues[0]
  assert.match(first.message, /^YAML syntax error: /)
  assert.doesNotMatch(first.message, /at line \d+/, 'the position belongs in line/col, not the message')
  assert.equal(typeof first.line, 'number')
  assert.equal(typeof first.col, 'number')
  assert.ok(first.line! >= positionOf(text, 'goal: [').line, 'the error is reported at or after the unclosed bracket')
})

test('a tab used for indentation is reported at its exact position', () => {
  const text = edit(JOB, ['  maxTrialCount: 6\n', '\tmaxTrialCount: 6\n'])
  const issue = parse(text).issues[0]
  assert.deepEqual({ line: issue.line, col: issue.col }, positionOf(text, '\tmaxTrialCount'))
  assertMentions(issue.message, 'Tabs')
})

test('a duplicate key is a syntax issue at the second occurrence', () => {
  const text = edit(JOB, ['  maxTrialCount: 6\n', '  maxTrialCount: 6\n  maxTrialCount: 7\n'])
  const issue = parse(text).issues[0]
  assert.deepEqual({ line: issue.line, col: issue.col }, positionOf(text, 'maxTrialCount: 7'))
  assertMentions(issue.message, 'unique')
})

test('more than one document is an issue at the marker that starts the second', () => {
  const text = `${JOB}---\n${JOB}`
  const issue = onlyIssue(parse(text), '')
  assertMentions(issue.message, '2 YAML documents', 'one Experiment')
  assert.deepEqual({ line: issue.line, col: issue.col }, positionOf(text, '---'))
})

test('a leading and a trailing document marker do not count as extra documents', () => {
  assert.deepEqual(parse(`---\n${JOB}---\n`).issues, [])
})

test('an empty document is an issue at 1:1', () => {
  const issue = onlyIssue(parse('# nothing here\n'), '')
  assert.deepEqual([issue.line, issue.col], [1, 1])
  assertMentions(issue.message, 'empty', 'kubeflow.org/v1beta1')
})

test('a document that is not a mapping says what was expected', () => {
  const issue = onlyIssue(parse('- a\n- b\n'), '')
  assertMentions(issue.message, 'expected a mapping', 'a list')
})

test('an unknown key is an error naming the key and suggesting the nearest valid one, at the key', () => {
  const text = edit(JOB, ['  maxTrialCount: 6', '  maxTrailCount: 6'])
  const issue = onlyIssue(parse(text), '/spec/maxTrailCount')
  assertMentions(issue.message, 'unknown field "maxTrailCount"', 'did you mean "maxTrialCount"?')
  assert.deepEqual({ line: issue.line, col: issue.col }, positionOf(text, 'maxTrailCount'))
})

test('an unknown key with no near match lists the valid fields instead', () => {
  const text = edit(JOB, ['    goal: 0.001\n', '    goal: 0.001\n    banana: 1\n'])
  const issue = onlyIssue(parse(text), '/spec/objective/banana')
  assertMentions(issue.message, 'unknown field "banana"', 'type, goal, objectiveMetricName, additionalMetricNames, metricStrategies')
  assert.doesNotMatch(issue.message, /did you mean/)
})

test('case mistakes in keys are suggested too, and the correctly spelled key is reported missing', () => {
  const text = edit(JOB, ['    objectiveMetricName: loss', '    ObjectiveMetricName: loss'])
  const issues = parse(text).issues
  assert.deepEqual(issues.map((i) => i.path), ['/spec/objective/objectiveMetricName', '/spec/objective/ObjectiveMetricName'])
  assertMentions(issues[1].message, 'unknown field "ObjectiveMetricName"', 'did you mean "objectiveMetricName"?')
  assert.deepEqual({ line: issues[1].line, col: issues[1].col }, positionOf(text, 'ObjectiveMetricName'))
})

test('unknown keys are allowed inside trialSpec, metadata, primaryPodLabels, customCollector and httpGet', () => {
  const text = edit(
    JOB,
    ['  namespace: kubeflow\n', '  namespace: kubeflow\n  uid: abc\n  resourceVersion: "5"\n'],
    ['    primaryContainerName: training\n', '    primaryContainerName: training\n    primaryPodLabels: {anything/goes: "yes"}\n'],
    ['            restartPolicy: Never\n', '            restartPolicy: Never\n            nodeSelector: {someFuture/label: x}\n'],
    ['  maxFailedTrialCount: 2\n', '  maxFailedTrialCount: 2\n  metricsCollectorSpec:\n    collector:\n      kind: Custom\n      customCollector: {image: c, name: c, whatever: 1}\n    source:\n      httpGet: {path: /m, port: 80, httpHeaders: []}\n'],
  )
  assert.deepEqual(parse(text).issues, [])
})

test('a wrongly typed value names the expected type, the value found, and how to fix it', () => {
  const text = edit(JOB, ['    algorithmName: random\n', '    algorithmName: random\n    algorithmSettings:\n      - name: random_state\n        value: 10\n'])
  const issue = onlyIssue(parse(text), '/spec/algorithm/algorithmSettings/0/value')
  assertMentions(issue.message, 'expected a string', 'the number 10', 'write it in quotes: "10"')
  assert.deepEqual({ line: issue.line, col: issue.col }, positionOf(text, 'value: 10'))
})

test('a missing required field is reported at its parent with the expected shape', () => {
  const text = edit(JOB, ['    objectiveMetricName: loss\n', ''])
  const issue = onlyIssue(parse(text), '/spec/objective/objectiveMetricName')
  assertMentions(issue.message, 'required field "objectiveMetricName" is missing', 'a string')
  assert.deepEqual({ line: issue.line, col: issue.col }, positionOf(text, 'objective:'))
})

test('apiVersion and kind must be Katib\'s', () => {
  const parsed = parse(edit(JOB, ['apiVersion: kubeflow.org/v1beta1', 'apiVersion: kubeflow.org/v1alpha3'], ['kind: Experiment', 'kind: Trial']))
  assert.deepEqual(parsed.issues.map((i) => i.path), ['/apiVersion', '/kind'])
  assertMentions(parsed.issues[0].message, 'expected "kubeflow.org/v1beta1"', '"kubeflow.org/v1alpha3"')
  assertMentions(parsed.issues[1].message, 'expected "Experiment"', '"Trial"')
})

test('YAML numbers in feasibleSpace are accepted and normalised to Katib strings', () => {
  const parsed = parse(edit(LOCAL, ['      feasibleSpace: {min: 1, max: 3}', '      feasibleSpace: {min: 1, max: 3, step: 1}'], ['  parameters:\n', '  parameters:\n    - {name: batch, parameterType: discrete, feasibleSpace: {list: [16, 32.5]}}\n'], ['"--epochs", ', '"--epochs", "${trialParameters.batch}", ']))
  assert.deepEqual(parsed.issues, [])
  const [batch, lr, epochs] = parsed.experiment!.spec.parameters!
  assert.deepEqual(batch.feasibleSpace.list, ['16', '32.5'])
  assert.equal(lr.feasibleSpace.min, '0.01')
  assert.equal(lr.feasibleSpace.max, '0.1')
  assert.equal(epochs.feasibleSpace.step, '1')
})

test('every issue of a YAML source carries line and col, sorted by position', () => {
  const text = edit(JOB, ['  name: demo', '  name: Demo'], ['        max: "0.05"', '        max: "0.005"'], ['  maxTrialCount: 6', '  maxTrialCount: 0'], ['        reference: optimizer', '        reference: optimiser'])
  const parsed = parse(text)
  assert.ok(parsed.issues.length >= 4)
  for (const issue of parsed.issues) assert.ok(issue.line !== undefined && issue.col !== undefined, `${issue.path} has no position`)
  const keys = parsed.issues.map((i) => i.line! * 1000 + i.col!)
  assert.deepEqual(keys, [...keys].sort((a, b) => a - b))
})

test('locate maps paths to the key of a mapping entry, a list item, or the closest ancestor', () => {
  const text = edit(JOB, ['    primaryContainerName: training\n', '    primaryContainerName: training\n    primaryPodLabels:\n      a.b/c~d: "x"\n'])
  const parsed = parse(text)
  assert.deepEqual(parsed.locate('/spec/parameters/1/feasibleSpace/min'), positionOf(text, 'min: "1"'))
  assert.deepEqual(parsed.locate('/spec/parameters/1'), positionOf(text, 'name: layers'))
  assert.deepEqual(parsed.locate('/spec/parameters/1/feasibleSpace/step'), positionOf(text, 'feasibleSpace:', 1))
  assert.deepEqual(parsed.locate('/spec/parameters/9/name'), positionOf(text, 'parameters:'))
  assert.deepEqual(parsed.locate('/spec/trialTemplate/primaryPodLabels/a.b~1c~0d'), positionOf(text, 'a.b/c~d'))
  assert.deepEqual(parsed.locate('/spec/parameters/2/feasibleSpace/list/1'), positionOf(text, '"adam"'))
  assert.deepEqual(parsed.locate(''), { line: 1, col: 1 })
})

test('locate works on an invalid document too, so callers can point at anything', () => {
  const text = edit(JOB, ['  maxTrialCount: 6', '  maxTrialCount: -1'])
  const parsed = parse(text)
  assert.equal(parsed.experiment, undefined)
  assert.deepEqual(parsed.locate('/spec/algorithm/algorithmName'), positionOf(text, 'algorithmName'))
})

test('issueAt adds the position of a path for checks done by other layers', () => {
  const parsed = parse(JOB)
  assert.deepEqual(issueAt(parsed.locate, '/spec/algorithm/algorithmName', 'unknown algorithm "x"'), {
    path: '/spec/algorithm/algorithmName',
    message: 'unknown algorithm "x"',
    ...positionOf(JOB, 'algorithmName'),
  })
  assert.deepEqual(issueAt(undefined, '/spec', 'm'), { path: '/spec', message: 'm' })
})

test('validateExperimentObject validates JSON input without positions and leaves the input untouched', async () => {
  const parsed = parse(LOCAL)
  const raw = JSON.parse(JSON.stringify({ ...parsed.experiment, spec: { ...parsed.experiment!.spec, parallelTrialCount: undefined } }))
  raw.spec.parameters[0].feasibleSpace.min = 0.01
  const before = structuredClone(raw)
  const ok = validateExperimentObject(raw)
  assert.deepEqual(ok.issues, [])
  assert.equal(ok.experiment?.spec.parallelTrialCount, 3)
  assert.equal(ok.experiment?.spec.parameters?.[0].feasibleSpace.min, '0.01')
  assert.deepEqual(raw, before)
  raw.spec.maxTrialCount = 0
  const bad = validateExperimentObject(raw)
  assert.equal(bad.experiment, undefined)
  assert.deepEqual(bad.issues.map((i) => [i.path, i.line, i.col]), [['/spec/maxTrialCount', undefined, undefined]])
  assert.deepEqual(validateExperimentObject(null).issues.map((i) => i.path), [''])
})

test('loadExperimentFile returns the experiment, or throws InvalidSpecError naming the file and position', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tunewell-spec-'))
  try {
    const good = join(dir, 'good.yaml')
    await writeFile(good, JOB)
    assert.equal((await loadExperimentFile(good)).metadata.name, 'demo')
    const badText = edit(JOB, ['  maxTrialCount: 6', '  maxTrialCount: 0'])
    const bad = join(dir, 'bad.yaml')
    await writeFile(bad, badText)
    const { line, col } = positionOf(badText, 'maxTrialCount')
    await assert.rejects(loadExperimentFile(bad), (error: unknown) => {
      assert.ok(error instanceof InvalidSpecError)
      assert.equal(error.file, bad)
      assert.equal(error.issues[0].path, '/spec/maxTrialCount')
      assertMentions(error.message, `${bad}:${line}:${col} /spec/maxTrialCount: maxTrialCount 0 is not positive`)
      return true
    })
    const missing = join(dir, 'missing.yaml')
    await assert.rejects(loadExperimentFile(missing), (error: unknown) => {
      assert.ok(error instanceof InvalidSpecError)
      assert.equal(error.issues.length, 1)
      assertMentions(error.issues[0].message, 'cannot read the file')
      return true
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('parseExperimentYaml does not throw on hostile input', () => {
  const bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\n' + Array.from({ length: 9 }, (_, i) => `${'b'.repeat(i + 1)}: &${'b'.repeat(i + 1)} [*${i === 0 ? 'a' : 'b'.repeat(i)}, *${i === 0 ? 'a' : 'b'.repeat(i)}, *${i === 0 ? 'a' : 'b'.repeat(i)}, *${i === 0 ? 'a' : 'b'.repeat(i)}, *${i === 0 ? 'a' : 'b'.repeat(i)}, *${i === 0 ? 'a' : 'b'.repeat(i)}, *${i === 0 ? 'a' : 'b'.repeat(i)}, *${i === 0 ? 'a' : 'b'.repeat(i)}, *${i === 0 ? 'a' : 'b'.repeat(i)}]`).join('\n')
  for (const text of ['', ':', '{', '"unterminated', '[1, 2', 'a: b: c', '!!binary xyz', bomb]) {
    const parsed = parseExperimentYaml(text)
    assert.equal(parsed.experiment, undefined)
    assert.ok(parsed.issues.length > 0, `no issue for ${JSON.stringify(text.slice(0, 20))}`)
    for (const issue of parsed.issues) assert.ok(issue.line !== undefined && issue.col !== undefined)
  }
})
