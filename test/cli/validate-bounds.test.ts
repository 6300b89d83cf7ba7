/**
 * `tunewell validate` (the CLI, as a child process) on hostile or careless input: documents
 * nested far beyond any Experiment, counts beyond Katib's int32 and beyond the local limit on
 * parallel trials, and files with several problems of different kinds at once.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'tunewell-validate-'))

function validate(...files: string[]) {
  const result = spawnSync(process.execPath, [bin, 'validate', ...files], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

function write(name: string, text: string): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

const HEAD = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: bounds
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
  trialTemplate:
    command: ["true", "\${trialParameters.x}"]
`

test('a document nested 150,000 deep is refused before parsing, with line:col', () => {
  const depth = 150_000
  const flow = write('deep-flow.yaml', `${HEAD}    labels: ${'['.repeat(depth)}${']'.repeat(depth)}\n`)
  const block = write('deep-block.yaml', `${HEAD}  nasConfig:\n${'- '.repeat(depth)}x\n`)
  const result = validate(flow, block)
  assert.equal(result.code, 2)
  assert.match(result.stderr, /deep-flow\.yaml:12:\d+ \/: the document is nested more than 100 levels deep here; at most 100 levels are accepted/)
  assert.match(result.stderr, /deep-block\.yaml:13:\d+ \/: the document is nested more than 100 levels deep here/)
  assert.doesNotMatch(result.stderr, /call stack|YAML syntax error/)
})

test('a structural error does not hide the semantic problems of the well-formed parts: all in one pass, each with line:col', () => {
  const text = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: Mixed_Problems
spec:
  objective:
    type: minimize
    objectiveMetricName: [loss]
  algorithm: {algorithmName: random}
  maxTrialCount: -3
  maxFailedTrialCount: ${2_147_483_648}
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: {min: "0.5", max: "0.1"}
    - name: layers
      parameterType: int
      feasibleSpace: {min: [1], max: "4"}
    - name: opt
      parameterType: categorical
      feasibleSpace: {list: [a, a]}
  trialTemplate:
    command: ["true", "\${trialParameters.lr}", "\${trialParameters.layers}", "\${trialParameters.opt}", "\${trialParameters.typo}"]
`
  const file = write('mixed.yaml', text)
  const result = validate(file)
  assert.equal(result.code, 2)
  const lines = result.stderr.split('\n').filter((l) => l.startsWith(file))
  const expected: [number, string, RegExp][] = [
    [4, '/metadata/name', /name "Mixed_Problems" is invalid/], // semantic
    [8, '/spec/objective/objectiveMetricName', /expected a string, got a list/], // structural
    [10, '/spec/maxTrialCount', /maxTrialCount -3 is not positive/], // semantic
    [11, '/spec/maxFailedTrialCount', /above 2147483647, the largest count Katib accepts/], // semantic
    [15, '/spec/parameters/0/feasibleSpace/min', /min "0.5" is greater than max "0.1"/], // semantic
    [18, '/spec/parameters/1/feasibleSpace/min', /expected a string, got a list/], // structural
    [21, '/spec/parameters/2/feasibleSpace/list/1', /value "a" appears more than once/], // semantic
    [23, '/spec/trialTemplate/command/4', /\$\{trialParameters\.typo\} is not declared/], // semantic
  ]
  for (const [line, path, message] of expected) {
    const found = lines.find((l) => new RegExp(`^${file.replace(/[.]/g, '\\.')}:${line}:\\d+ ${path}: `).test(l))
    assert.ok(found, `no issue at line ${line}, ${path}:\n${result.stderr}`)
    assert.match(found, message)
  }
  assert.equal(lines.length, expected.length, result.stderr)
})

test('counts above int32 are invalid; a parallelTrialCount above the local limit is a note for validate and refused by run', () => {
  const huge = write('huge-counts.yaml', HEAD.replace('  algorithm:', `  maxTrialCount: ${2 ** 31}\n  parallelTrialCount: ${2 ** 40}\n  algorithm:`))
  const invalid = validate(huge)
  assert.equal(invalid.code, 2)
  assert.match(invalid.stderr, /huge-counts\.yaml:7:3 \/spec\/maxTrialCount: maxTrialCount 2147483648 is above 2147483647, the largest count Katib accepts/)
  assert.match(invalid.stderr, /huge-counts\.yaml:8:3 \/spec\/parallelTrialCount: parallelTrialCount 1099511627776 is above 2147483647/)

  const wide = write('wide.yaml', HEAD.replace('  algorithm:', '  maxTrialCount: 100000\n  parallelTrialCount: 1000\n  algorithm:'))
  const noted = validate(wide)
  assert.equal(noted.code, 0, noted.stderr)
  assert.match(noted.stdout, /note: it cannot run on local processes:\n.*wide\.yaml:8:3 \/spec\/parallelTrialCount: parallelTrialCount 1000 is above the limit of 256 trials at once \(--max-parallel-trials, TUNEWELL_MAX_PARALLEL_TRIALS\)/)
  const raised = spawnSync(process.execPath, [bin, 'validate', wide], { cwd: dir, encoding: 'utf8', env: { ...process.env, TUNEWELL_MAX_PARALLEL_TRIALS: '1000' } })
  assert.doesNotMatch(raised.stdout, /note:/)

  const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'run', ...args, wide], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
  const refused = run()
  assert.equal(refused.status, 2)
  assert.match(refused.stderr, /wide\.yaml:8:3 \/spec\/parallelTrialCount: parallelTrialCount 1000 is above the limit of 256 trials at once.*run it with a higher --max-parallel-trials/)
  const badFlag = run('--max-parallel-trials', '0')
  assert.equal(badFlag.status, 2)
  assert.match(badFlag.stderr, /--max-parallel-trials \(or TUNEWELL_MAX_PARALLEL_TRIALS\) must be a whole number from 1 to 2147483647, got "0"/)
})
