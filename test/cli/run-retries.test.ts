import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { quadraticExperimentYaml } from '../helpers/experiment-yaml.ts'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'

/** `tunewell run` with trials that fail: a Job's retries, and a run where every trial failed. */
const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const flaky = fileURLToPath(new URL('../fixtures/trials/flaky.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-cli-retries-'))
const suffix = Date.now().toString(36)
const created: string[] = []
after(() => deleteCliExperiments(home, created))

function run(name: string, yaml: string) {
  created.push(name)
  const file = join(home, `${name}.yaml`)
  writeFileSync(file, yaml)
  // A short back-off through the setting: the production schedule starts at 1 s.
  const result = spawnSync(process.execPath, [bin, 'run', file], {
    cwd: home, encoding: 'utf8', timeout: 120_000, env: { ...process.env, TUNEWELL_JOB_BACKOFF_SECONDS: '0.05' },
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

const jobYaml = (name: string, flags: readonly string[], backoffLimit: string) => `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  maxTrialCount: 1
  parallelTrialCount: 1
  parameters:
    - {name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.1"}}
  trialTemplate:
    primaryContainerName: training
    trialParameters:
      - {name: learningRate, reference: lr}
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
${backoffLimit}        template:
          spec:
            restartPolicy: OnFailure
            containers:
              - name: training
                image: docker.io/library/node:20
                command: ${JSON.stringify([process.execPath, flaky, ...flags, '--lr=${trialParameters.learningRate}'])}
`

test('a Job trial that fails twice is retried (default backoffLimit 6) and succeeds with the last attempt\'s metrics; each failed attempt is an event', async () => {
  const name = `retry-job-${suffix}`
  // The failed attempts print a lower loss: mixed into the trial's points, they would be its objective.
  const result = run(name, jobYaml(name, ['--fail-times=2', '--bad-loss=0.1', '--loss=0.5'], ''))
  assert.equal(result.code, 0, result.stdout + result.stderr)
  assert.match(result.stdout, /best trial \S+: loss=0\.5\b/)
  await withCliStore(home, async (store) => {
    const experiment = (await store.experiments.getByName(name))!
    const [trial] = await store.trials.list(experiment.id)
    assert.equal(trial!.state, 'Succeeded')
    assert.equal(trial!.objective, 0.5)
    assert.equal(trial!.restarts, 0, 'a retry is no relaunch')
    const points = await store.observations.list(trial!.id, ['loss'])
    assert.deepEqual(points.map((p) => p.value), [0.5, 0.5], 'only the last attempt\'s points')
    const attempts = (await store.events.list(experiment.id)).flatMap((e) => (e.type === 'trial:attempt-failed' ? [e.payload] : []))
    assert.deepEqual(attempts.map((a) => [a.attempt, a.attempts, a.reason, a.exitCode]), [[1, 7, 'Error', 1], [2, 7, 'Error', 1]])
    assert.match(attempts[1]!.message, /\nattempt 2: CUDA error: out of memory$/)
  })
})

test('backoffLimit 0 fails at once; with every trial failed, run says so on stderr, shows the last lines of stderr and exits 1', async () => {
  const name = `retry-none-${suffix}`
  const result = run(name, jobYaml(name, ['--fail-times=9'], '        backoffLimit: 0\n'))
  assert.equal(result.code, 1, result.stdout + result.stderr)
  assert.match(result.stdout, /Failed: Job reason: Error\. trial process exited with code 1; see its log \S+output\.log\n {4}\| attempt 1: CUDA error: out of memory\n/)
  assert.match(result.stderr, /error: no trial succeeded \(1 failed of 1\): the experiment has no result/)
  await withCliStore(home, async (store) => {
    const experiment = (await store.experiments.getByName(name))!
    const events = await store.events.list(experiment.id)
    assert.equal(events.filter((e) => e.type === 'trial:attempt-failed').length, 0)
  })
})

test('a local-form experiment whose every trial failed exits 1 even when Katib\'s rules call it Succeeded', () => {
  const name = `all-failed-${suffix}`
  const result = run(name, quadraticExperimentYaml({ name, max: 2, parallel: 2, flags: ['--mode=fail', '--steps=1'] }))
  assert.equal(result.code, 1, result.stdout + result.stderr)
  const state = /experiment "[^"]+" (\w+)/.exec(result.stdout)?.[1]
  assert.match(result.stderr, /error: no trial succeeded \(2 failed of 2\): the experiment has no result/)
  if (state === 'Succeeded') assert.match(result.stderr, /although Katib's rules call it Succeeded/)
  // Both trials' failures, each with the last line of its stderr.
  assert.equal(result.stdout.match(/ {4}\| simulated failure\n/g)?.length, 2, result.stdout)
})

test('the REST API and tunewell trials show a failed trial\'s last stderr lines (run --ui-wait serves them after the run)', async () => {
  const name = `trials-failed-${suffix}`
  created.push(name)
  const file = join(home, `${name}.yaml`)
  writeFileSync(file, quadraticExperimentYaml({ name, max: 1, parallel: 1, flags: ['--mode=fail', '--steps=1'] }))
  const env = { ...process.env }
  delete env.TUNEWELL_PORT
  const child = spawn(process.execPath, [bin, 'run', file, '--ui-wait', '--port', '0'], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const output = { out: '', err: '' }
  child.stdout!.on('data', (chunk: Buffer) => (output.out += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output.err += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    let url: string | undefined
    for (let i = 0; i < 1200 && !url && child.exitCode === null; i++) {
      url = /still serving (http:\/\/\S+) until/.exec(output.out)?.[1]
      if (!url) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.ok(url, output.out + output.err)
    const origin = new URL(url).origin
    const trials = (await (await fetch(`${origin}/api/v1/experiments/${name}/trials`)).json()) as { items: { state: string; message: string }[] }
    assert.equal(trials.items[0]?.state, 'Failed')
    assert.match(trials.items[0]!.message, /^Job reason: Error\. trial process exited with code 3; see its log \S+\nsimulated failure$/)
    const listed = spawnSync(process.execPath, [bin, 'trials', name, '--server', origin], { cwd: home, encoding: 'utf8', timeout: 60_000, env })
    assert.equal(listed.status, 0, listed.stderr)
    assert.match(listed.stdout, /\n\S+ Failed: Job reason: Error\. trial process exited with code 3; see its log \S+\n {4}\| simulated failure\n/)
    child.kill('SIGTERM')
    assert.equal(await exited, 1, output.out + output.err)
    assert.match(output.err, /error: no trial succeeded \(1 failed of 1\)/)
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
})
