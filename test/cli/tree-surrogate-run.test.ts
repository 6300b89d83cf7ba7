import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deleteCliExperiments } from '../helpers/cli-store.ts'
import { quadraticExperimentYaml } from '../helpers/experiment-yaml.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-trees-'))
const name = `forest-${Date.now().toString(36)}`
const MAX_TRIALS = 8

after(() => deleteCliExperiments(home, [name]))

function cli(args: readonly string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: home, encoding: 'utf8', env: process.env, timeout: 120_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('bayesianoptimization with base_estimator RF through tunewell', () => {
  test('run: the initial design, then the forest, to maxTrialCount distinct succeeded trials', { timeout: 150_000 }, () => {
    const file = join(home, `${name}.yaml`)
    writeFileSync(file, quadraticExperimentYaml({
      name,
      algorithm: 'bayesianoptimization',
      settings: { base_estimator: 'RF', n_initial_points: '3', random_state: '5' },
      parallel: 2,
      max: MAX_TRIALS,
    }))
    const run = cli(['run', file])
    assert.equal(run.code, 0, run.stderr + run.stdout)
    // The trial table: one row per trial, `*` marking the best.
    const rows = run.stdout.split('\n').filter((line) => new RegExp(`^[* ] +${name}-\\w+ +\\w+`).test(line)).map((line) => line.slice(1).trim().split(/ +/))
    assert.equal(rows.length, MAX_TRIALS, run.stdout)
    assert.ok(rows.every((row) => row[1] === 'Succeeded'), run.stdout)
    // Five of the eight came from the forest; none repeats a point.
    assert.equal(new Set(rows.map((row) => `${row[2]} ${row[3]}`)).size, MAX_TRIALS, run.stdout)
    assert.match(run.stdout, /ExperimentMaxTrialsReached/)
  })

  test('validate: acq_optimizer lbfgs with a tree is refused at its line, naming the fix', () => {
    const file = join(home, 'forest-lbfgs.yaml')
    const yaml = quadraticExperimentYaml({ name: 'forest-lbfgs', algorithm: 'bayesianoptimization', settings: { base_estimator: 'ET', acq_optimizer: 'lbfgs' } })
    writeFileSync(file, yaml)
    const line = yaml.split('\n').findIndex((l) => l.includes('acq_optimizer')) + 1
    const result = cli(['validate', file])
    assert.equal(result.code, 2, result.stdout + result.stderr)
    const output = result.stdout + result.stderr
    assert.match(output, new RegExp(`forest-lbfgs\\.yaml:${line}:\\d+`))
    assert.match(output, /"lbfgs".*"ET".*set acq_optimizer to sampling or auto/)
  })
})
