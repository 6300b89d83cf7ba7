/**
 * examples/multiobjective/accuracy-vs-size.yaml as a user runs it, made short (3 trials at once, of
 * 20 epochs): `tunewell run`, then `tunewell best` printing the Pareto front. Everything else is the
 * file as shipped (constrained.yaml through serve: multiobjective-serve.test.ts).
 */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { dominates } from '../../core/multiobjective/dominates.ts'
import { deleteCliExperiments } from '../helpers/cli-store.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const exampleDir = fileURLToPath(new URL('../../examples/multiobjective/', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-mo-example-'))
const suffix = Date.now().toString(36)
const created: string[] = []

after(() => deleteCliExperiments(home, created))

/** The example shortened: 3 trials at once, of 20 epochs, under a name of the test's own. */
function shortExample(file: string, name: string): string {
  let text = readFileSync(join(exampleDir, file), 'utf8')
  const replace = (from: RegExp, to: string) => {
    assert.match(text, from, `${file} has ${from}`)
    text = text.replace(from, to)
  }
  replace(/^  name: [\w-]+$/m, `  name: ${name}`)
  replace(/maxTrialCount: 16/, 'maxTrialCount: 3')
  replace(/parallelTrialCount: 2/, 'parallelTrialCount: 3')
  replace(/--epochs=\d+/, '--epochs=20')
  return text
}

test('accuracy-vs-size.yaml: run warns that Katib would refuse it, reaches Succeeded, and best prints a Pareto front of non-dominated trials', { timeout: 120_000 }, () => {
  const name = `accuracy-vs-size-${suffix}`
  const file = join(home, `${name}.yaml`)
  // Beside the test's home, so the trials run in examples/multiobjective (train.ts, and tsx from the repository).
  writeFileSync(file, shortExample('accuracy-vs-size.yaml', name).replace('    activeDeadlineSeconds: 120\n', `    activeDeadlineSeconds: 120\n    workingDir: ${JSON.stringify(exampleDir)}\n`))
  created.push(name)
  const run = spawnSync(process.execPath, [bin, 'run', file, '--fresh'], { cwd: home, encoding: 'utf8', timeout: 100_000 })
  assert.equal(run.status, 0, run.stderr + run.stdout)
  assert.match(run.stdout, new RegExp(`experiment "${name}" Succeeded: ExperimentMaxTrialsReached`))
  assert.match(run.stderr, /objectives is a Tunewell extension .*Katib itself would refuse/)
  assert.match(run.stdout, /^Pareto front: \d+ trial\(s\), hypervolume /m)
  assert.match(run.stdout, /^best first objective on the front \(currentOptimalTrial\) /m)

  const table = spawnSync(process.execPath, [bin, 'best', name], { cwd: home, encoding: 'utf8', timeout: 60_000 })
  assert.equal(table.status, 0, table.stderr)
  assert.match(table.stdout, /^Pareto front: \d+ trial\(s\), hypervolume [\d.e+-]+ \(reference point /)
  assert.match(table.stdout, /TRIAL\s+accuracy \(max\)\s+model_params \(min\)\s+lr\s+l2\s+degree/)

  // The rows: name, accuracy, model_params, then the parameters. Maximised accuracy negated, no
  // trial of the front dominates another.
  const rows = table.stdout.trim().split('\n').slice(2).map((line) => line.trim().split(/\s+/))
  assert.ok(rows.length >= 1, table.stdout)
  const points = rows.map((r) => [-Number(r[1]), Number(r[2])])
  for (const a of points) for (const b of points) assert.ok(!dominates(a, b), `${a} dominates ${b}`)
  const get = spawnSync(process.execPath, [bin, 'get', name], { cwd: home, encoding: 'utf8', timeout: 60_000 })
  assert.equal(get.status, 0, get.stderr)
  assert.match(get.stdout, /^objectives: +maximize accuracy, minimize model_params$/m)
  assert.match(get.stdout, new RegExp(`^Pareto front: +${rows.length} trial\\(s\\), hypervolume `, 'm'))
  // model_params follows from degree, as train.ts reports it.
  for (const r of rows) assert.equal(Number(r[2]), ((Number(r[5]) + 1) * (Number(r[5]) + 2)) / 2, r.join(' '))
})

