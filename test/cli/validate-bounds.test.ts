/**
 * `hypertune validate` (the CLI, as a child process) on hostile or careless input: documents
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
const dir = mkdtempSync(join(tmpdir(), 'hypertune-validate-'))

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
