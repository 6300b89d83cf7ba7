import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Store } from '../../db/store.ts'
import { invalidExperimentYaml, quadraticFixture } from '../helpers/experiment-yaml.ts'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const examples = fileURLToPath(new URL('../../examples/', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-cli-'))
const suffix = Date.now().toString(36)
const created: string[] = []

function cli(args: readonly string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: home, encoding: 'utf8', env: process.env, timeout: 240_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

const withStore = <T>(work: (store: Store) => Promise<T>): Promise<T> => withCliStore(home, work)

after(() => deleteCliExperiments(home, created))

function writeExperiment(name: string, body: string): string {
  created.push(name)
  const file = join(home, `${name}.yaml`)
  writeFileSync(file, body.replaceAll('NAME', name))
  return file
}

const slowExperiment = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: NAME
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm:
    algorithmName: random
  parallelTrialCount: 2
  maxTrialCount: 8
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: y, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
  trialTemplate:
    command: ["${process.execPath}", "${quadraticFixture}", "--x=\${trialParameters.x}", "--y=\${trialParameters.y}", "--sleep-ms=150"]
`

describe('tunewell CLI', () => {
  test('validate accepts the examples and reports every problem of a bad file with line:col', () => {
    const ok = cli(['validate', join(examples, 'quickstart.yaml'), join(examples, 'grid-job.yaml')])
    assert.equal(ok.code, 0, ok.stderr)
    assert.match(ok.stdout, /valid Experiment "quickstart"/)
    const bad = writeExperiment(`bad-${suffix}`, invalidExperimentYaml('NAME'))
    const result = cli(['validate', bad])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /:8:\d+ \/spec\/maxTrialCount/)
    assert.match(result.stderr, /:10:\d+ \/spec\/parameters\/0\/feasibleSpace/)
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
  })

  test('malformed YAML and a missing file are clear errors', () => {
    const broken = writeExperiment(`broken-${suffix}`, 'apiVersion: kubeflow.org/v1beta1\nkind: [Experiment\n')
    const result = cli(['validate', broken])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /broken-.*\.yaml:\d+:\d+/)
    const missing = cli(['run', join(home, 'nope.yaml')])
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /nope\.yaml.*file not found/)
  })

  test('run tunes an example to completion and prints the table and best trial', () => {
    const name = 'quickstart'
    created.push(name)
    const result = cli(['run', join(examples, 'quickstart.yaml'), '--fresh'])
    assert.equal(result.code, 0, result.stderr + result.stdout)
    assert.match(result.stdout, /experiment "quickstart" Succeeded: ExperimentMaxTrialsReached/)
    assert.match(result.stdout, /best trial quickstart-[a-z0-9]{8}: loss=/)
    assert.match(result.stdout, /TRIAL\s+STATE\s+lr\s+l2\s+degree\s+loss\s+accuracy/)
    assert.equal((result.stdout.match(/Succeeded\s+\d/g) ?? []).length, 12)
  })

  test('every other example in examples/ runs to success', () => {
    for (const [file, reason] of [
      ['grid-job.yaml', 'ExperimentSuggestionEndReached'],
      ['file-metrics.yaml', 'ExperimentMaxTrialsReached'],
      ['push-metrics.yaml', 'Experiment(MaxTrialsReached|GoalReached)'],
    ] as const) {
      created.push(file.replace('.yaml', ''))
      const result = cli(['run', join(examples, file), '--fresh'])
      assert.equal(result.code, 0, `${file}: ${result.stderr}${result.stdout}`)
      assert.match(result.stdout, new RegExp(`Succeeded: ${reason}`), file)
      assert.doesNotMatch(result.stdout, /MetricsUnavailable|Failed/, file)
    }
  })

  test('validate checks every file and reports each bad one', () => {
    const bad = writeExperiment(`unknown-alg-${suffix}`, slowExperiment.replace('algorithmName: random', 'algorithmName: randm'))
    const result = cli(['validate', bad, join(examples, 'quickstart.yaml')])
    assert.equal(result.code, 2)
    assert.match(result.stdout, /valid Experiment "quickstart"/)
    assert.match(result.stderr, /:\d+:\d+ \/spec\/algorithm\/algorithmName: .*randm/)
  })

  test('kill -9 in the middle of a run, run again: resumes without losing or duplicating a trial', async () => {
    const name = `resume-${suffix}`
    const file = writeExperiment(name, slowExperiment)
    const child = spawn(process.execPath, [bin, 'run', file], { cwd: home, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress: ${output}`)), 60_000)
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (/trials done [3-5],/.test(output)) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('close', resolve))
    const before = await withStore(async (store) => store.trials.list((await store.experiments.getByName(name))!.id))
    const finishedBefore = before.filter((t) => t.state === 'Succeeded')
    assert.ok(finishedBefore.length >= 3 && before.length < 8, `killed mid-run: ${before.map((t) => t.state)}`)

    const rerun = cli(['run', file])
    assert.equal(rerun.code, 0, rerun.stderr + rerun.stdout)
    assert.match(rerun.stdout, /resuming experiment/)
    await withStore(async (store) => {
      const record = (await store.experiments.getByName(name))!
      const trials = await store.trials.list(record.id)
      assert.equal(record.state, 'Succeeded')
      assert.deepEqual(trials.map((t) => t.number), [0, 1, 2, 3, 4, 5, 6, 7])
      assert.equal(new Set(trials.map((t) => t.name)).size, 8)
      assert.ok(trials.every((t) => t.state === 'Succeeded'))
      for (const t of finishedBefore) {
        const now = trials.find((x) => x.id === t.id)!
        assert.equal(now.objective, t.objective, 'finished trials are untouched')
        assert.equal(now.restarts, 0)
      }
      for (const t of trials) assert.equal((await store.observations.list(t.id, ['loss'])).length, 3, `${t.name} has exactly its 3 points`)
    })
  })

  test('an unreachable database is a clear error, exit code 3', () => {
    const result = spawnSync(process.execPath, [bin, 'run', join(examples, 'quickstart.yaml')], {
      cwd: home, encoding: 'utf8', env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' }, timeout: 60_000,
    })
    assert.equal(result.status, 3, result.stderr)
    assert.match(result.stderr, /127\.0\.0\.1:1/)
    assert.doesNotMatch(result.stderr, /\n\s+at /)
  })
})
