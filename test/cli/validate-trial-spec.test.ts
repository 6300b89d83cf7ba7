/**
 * `tunewell validate` (the CLI, as a child process) on a trialSpec: Kubernetes' schemas and
 * primaryContainerName as errors with file:line:col, and a path into the image as a warning
 * only where trials run locally.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { JOB, edit, examplesDir, positionOf } from '../core/spec/spec-test-kit.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const random = join(examplesDir, 'hp-tuning/random.yaml')

function validate(files: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const { TUNEWELL_EXECUTOR: _, ...inherited } = process.env
  const result = spawnSync(process.execPath, [bin, 'validate', ...files], { encoding: 'utf8', timeout: 60_000, env: { ...inherited, ...env } })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

test('validate reports a mistyped container field and a primaryContainerName naming no container at their lines, and warns about a script in the image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tunewell-trial-spec-'))
  const badText = edit(JOB, ['                command:', '                comand:'], ['    primaryContainerName: training', '    primaryContainerName: trainer'])
  const bad = join(dir, 'bad.yaml')
  writeFileSync(bad, badText)
  // A script that exists here, given by its absolute path as Katib's examples do: no warning.
  const script = join(dir, 'train.py')
  writeFileSync(script, '')
  const present = join(dir, 'present.yaml')
  writeFileSync(present, edit(JOB, ['                  - train.py', `                  - ${script}`]))

  const result = validate([bad, random, present])
  assert.equal(result.code, 2, result.stderr)
  const comand = positionOf(badText, 'comand:')
  assert.match(result.stderr, new RegExp(`bad\\.yaml:${comand.line}:${comand.col} /spec/trialTemplate/trialSpec/spec/template/spec/containers/0/comand: "comand" is not a field of a Kubernetes Container; did you mean "command"\\?`))
  const primary = positionOf(badText, 'primaryContainerName')
  assert.match(result.stderr, new RegExp(`bad\\.yaml:${primary.line}:${primary.col} /spec/trialTemplate/primaryContainerName: primaryContainerName "trainer" names no container`))
  assert.match(result.stderr, /2 problem\(s\) in .*bad\.yaml/)

  assert.match(result.stdout, /random\.yaml: valid Experiment/)
  assert.match(result.stdout, /warning:\n.*random\.yaml:48:21 \/spec\/trialTemplate\/trialSpec\/spec\/template\/spec\/containers\/0\/command\/1: \/opt\/pytorch-mnist\/mnist\.py does not exist on this machine/)
  assert.match(result.stdout, /present\.yaml: valid Experiment "demo"[^\n]*\n(?!warning)/)
  assert.doesNotMatch(result.stdout, /train\.py does not exist/)
})

test('with TUNEWELL_EXECUTOR=kubernetes the image is used, so no warning about its paths', () => {
  const result = validate([random], { TUNEWELL_EXECUTOR: 'kubernetes' })
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /random\.yaml: valid Experiment/)
  assert.doesNotMatch(result.stdout, /warning|does not exist/)
})
