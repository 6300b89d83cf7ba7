import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { parse as parseYaml } from 'yaml'
import { buildApp } from '../../api/app.ts'
import { TunewellClient } from '../../api/client/tunewell-client.ts'
import type { ExperimentResource, ExperimentSummary } from '../../api/schemas/experiment.ts'
import type { TrialView } from '../../api/schemas/trial.ts'
import { checkLocalRunnable } from '../../controller/check-local.ts'
import { runsDir } from '../../controller/create-local-runner.ts'
import { ExperimentSupervisor } from '../../controller/experiment-supervisor.ts'
import type { Store } from '../../db/store.ts'
import { invalidExperimentYaml, quadraticFixture } from '../helpers/experiment-yaml.ts'
import { experimentYaml, uniqueName } from '../helpers/test-app.ts'
import { openTestStore } from '../helpers/test-store.ts'
import { freePort } from '../helpers/free-port.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'tunewell-server-cli-'))
const home = join(work, '.tunewell')

// The server runs in this process (a private test store, real trial processes), so the CLI is
// always spawned asynchronously: a spawnSync would block the server it talks to.
let store: Store
let app: FastifyInstance
let supervisor: ExperimentSupervisor
let server: string
let api: TunewellClient

before(async () => {
  store = await openTestStore()
  supervisor = new ExperimentSupervisor({ store, home, baseDir: work, localExecution: true, pollMs: 50, runnerPollMs: 50, retryMs: 200 })
  app = await buildApp({
    store,
    control: { wake: (id) => supervisor.wake(id), detach: (id) => supervisor.detach(id) },
    admit: (experiment) => (experiment.spec.trialTemplate ? checkLocalRunnable(experiment) : []),
    trialLogPath: (experiment, trial) => join(runsDir(home, experiment), trial, 'output.log'),
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  api = new TunewellClient({ server })
  supervisor.start()
})

after(async () => {
  await app?.close()
  await supervisor?.stop()
  await store?.destroy()
})

interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

function cli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: work,
      // No terminal, as in CI; the server comes from the environment unless a test says otherwise.
      env: { ...process.env, TUNEWELL_SERVER: server, TUNEWELL_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

function ok(result: CliResult): CliResult {
  assert.equal(result.code, 0, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
  return result
}

function failed(result: CliResult, code = 1): CliResult {
  assert.equal(result.code, code, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
  return result
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await sleep(100)
  }
}

const completed = (name: string) => until(`${name} to complete`, async () => {
  const e = await api.getExperiment(name)
  return e.status.state === 'Succeeded' || e.status.state === 'Failed' ? e : undefined
})

/** An experiment file over the quadratic fixture; `flags` go to the trial program. */
function writeExperiment(name: string, o: { max: number; parallel: number; flags?: readonly string[]; extra?: string; labels?: string }): string {
  const file = join(work, `${name}.yaml`)
  writeFileSync(file, `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
${o.labels ? `  labels: {${o.labels}}\n` : ''}spec:
  objective: {type: minimize, objectiveMetricName: loss, additionalMetricNames: [accuracy]}
  algorithm:
    algorithmName: random
    algorithmSettings: [{name: random_state, value: "3"}]
  parallelTrialCount: ${o.parallel}
  maxTrialCount: ${o.max}
${o.extra ?? ''}  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: y, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
  trialTemplate:
    command: ${JSON.stringify([process.execPath, quadraticFixture, '--x=${trialParameters.x}', '--y=${trialParameters.y}', ...(o.flags ?? [])])}
`)
  return file
}

describe('CLI commands against a server', () => {
  test('submit, list, get, trials, best and logs of an experiment that ran to completion; json and yaml match the API', async () => {
    const name = uniqueName('cli-done')
    const team = uniqueName('team')
    const file = writeExperiment(name, { max: 3, parallel: 3, labels: `team: ${team}` })
    const submitted = ok(await cli(['submit', file]))
    assert.match(submitted.stdout, new RegExp(`experiment "${name}" submitted \\(Created\\)`))
    const again = failed(await cli(['submit', file, '-o', 'json']))
    assert.match(again.stderr, new RegExp(`error: .*${name}.*exists`))

    const done = await completed(name)
    assert.equal(done.status.state, 'Succeeded')

    const table = ok(await cli(['list', '--name', name]))
    assert.match(table.stdout, /^NAME\s+STATE\s+REASON\s+ALGORITHM\s+TRIALS/)
    assert.match(table.stdout, new RegExp(`${name}\\s+Succeeded\\s+ExperimentMaxTrialsReached\\s+random\\s+3/3`))
    const listed = JSON.parse(ok(await cli(['list', '--label', `team=${team}`, '--status', 'Succeeded,Running', '-o', 'json'])).stdout) as ExperimentSummary[]
    assert.deepEqual(listed, (await api.listExperiments({ label: { team } })).items)
    assert.deepEqual(listed.map((e) => e.name), [name])
    assert.deepEqual(JSON.parse(ok(await cli(['list', '--label', `team=${team}`, '--status', 'Running', '-o', 'json'])).stdout), [])

    const details = ok(await cli(['get', name]))
    assert.match(details.stdout, /state:\s+Succeeded \(ExperimentMaxTrialsReached\)/)
    assert.match(details.stdout, /trials:\s+3 of 3, 3 in parallel: 3 Succeeded/)
    assert.match(details.stdout, new RegExp(`best trial:\\s+${done.status.currentOptimalTrial.bestTrialName}`))
    const resource = await api.getExperiment(name)
    assert.deepEqual(JSON.parse(ok(await cli(['get', name, '-o', 'json'])).stdout), resource)
    assert.deepEqual(parseYaml(ok(await cli(['get', name, '-o', 'yaml'])).stdout), resource)

    const trials = ok(await cli(['trials', name, '--sort', 'objective']))
    const rows = trials.stdout.trimEnd().split('\n')
    assert.match(rows[0]!, /^\s+TRIAL\s+STATE\s+x\s+y\s+loss\s+accuracy$/)
    assert.equal(rows.length, 4)
    assert.match(rows[1]!, new RegExp(`^\\*\\s+${resource.status.currentOptimalTrial.bestTrialName}\\s+Succeeded`), 'best first, marked')
    const sorted = JSON.parse(ok(await cli(['trials', name, '--sort', 'objective', '--order', 'desc', '-o', 'json'])).stdout) as TrialView[]
    assert.deepEqual(sorted, (await api.listTrials(name, { sort: 'objective', order: 'desc' })).items)
    const page = ok(await cli(['trials', name, '--limit', '2', '-o', 'yaml']))
    assert.deepEqual((parseYaml(page.stdout) as TrialView[]).map((t) => t.number), [0, 1])
    assert.match(page.stderr, /there are more: --all/)
    const all = JSON.parse(ok(await cli(['trials', name, '--all', '--limit', '1', '-o', 'json'])).stdout) as TrialView[]
    assert.deepEqual(all.map((t) => t.number), [0, 1, 2])
    assert.equal(ok(await cli(['trials', name, '--state', 'Failed'])).stdout, 'no trials in state Failed\n')

    const bestName = resource.status.currentOptimalTrial.bestTrialName
    const best = ok(await cli(['best', name]))
    assert.match(best.stdout, new RegExp(`^best trial ${bestName} \\(#\\d, Succeeded\\): minimize loss = `))
    assert.match(best.stdout, /\n {2}x = 0\.\d+\n {2}y = /)
    assert.match(best.stdout, /metrics:\n\s+METRIC\s+MIN\s+MAX\s+LATEST\n\s+accuracy\s.*\n\s+loss\s/)
    assert.deepEqual(JSON.parse(ok(await cli(['best', name, '-o', 'json'])).stdout), await api.getTrial(name, bestName))

    const log = ok(await cli(['logs', name, bestName]))
    assert.match(log.stdout, /step 1: loss=[\d.]+ accuracy=/)
    assert.equal(ok(await cli(['logs', name, bestName, '--tail', '1'])).stdout, `${log.stdout.trimEnd().split('\n').at(-1)}\n`)
    ok(await cli(['delete', name, '--yes']))
  })

  test('stop, resume and delete a running experiment; delete refuses without --yes when there is no terminal', async () => {
    const name = uniqueName('cli-long')
    const file = writeExperiment(name, { max: 200, parallel: 1, flags: ['--sleep-ms=200'], extra: '  resumePolicy: LongRunning\n' })
    ok(await cli(['submit', file]))
    await until('a running trial', async () => (await api.listTrials(name, { state: 'Running' })).items.length > 0)

    const stopped = ok(await cli(['stop', name]))
    assert.match(stopped.stdout, new RegExp(`^experiment "${name}" Succeeded \\(ExperimentStopped\\)`))
    const again = JSON.parse(ok(await cli(['stop', name, '-o', 'json'])).stdout) as ExperimentResource
    assert.equal(again.status.reason, 'ExperimentStopped', 'stopping twice changes nothing')
    assert.equal(again.status.trialsRunning + again.status.trialsPending, 0)
    assert.ok(again.status.trialsKilled >= 1)

    const resumed = parseYaml(ok(await cli(['resume', name, '-o', 'yaml'])).stdout) as ExperimentResource
    assert.match(resumed.status.state, /^(Restarting|Running)$/)
    await until('running again', async () => (await api.getExperiment(name)).status.state === 'Running')

    const refused = failed(await cli(['delete', name]), 2)
    assert.match(refused.stderr, new RegExp(`refusing to delete experiment "${name}" without --yes`))
    assert.equal((await api.getExperiment(name)).metadata.name, name, 'still there')
    const deleted = ok(await cli(['delete', name, '--yes']))
    assert.match(deleted.stdout, new RegExp(`experiment "${name}" deleted`))
    const gone = failed(await cli(['get', name]))
    assert.equal(gone.stderr, `error: experiment "${name}" not found\n`)
  })

  test('logs --follow prints a trial\'s output as it is written, every line once, and ends with the trial', async () => {
    const name = uniqueName('cli-follow')
    ok(await cli(['submit', writeExperiment(name, { max: 1, parallel: 1, flags: ['--steps=25', '--sleep-ms=80'] })]))
    const trial = await until('the trial', async () => (await api.listTrials(name)).items[0])
    const followed = ok(await cli(['logs', name, trial.name, '-f']))
    const lines = followed.stdout.trimEnd().split('\n')
    assert.deepEqual(lines.map((line) => /^step (\d+):/.exec(line)?.[1]), Array.from({ length: 25 }, (_, i) => String(i + 1)))
    const finished = await api.getTrial(name, trial.name)
    assert.notEqual(finished.state, 'Running', 'the follow ended with the trial')
    assert.equal(ok(await cli(['logs', name, trial.name])).stdout, followed.stdout)
    const tailed = ok(await cli(['logs', name, trial.name, '--follow', '--tail', '2']))
    assert.equal(tailed.stdout, `${lines.slice(-2).join('\n')}\n`)
    ok(await cli(['delete', name, '--yes']))
  })

  test('errors: invalid YAML with file:line:col, unknown experiment, no best yet, bad options', async () => {
    const bad = join(work, 'bad.yaml')
    writeFileSync(bad, invalidExperimentYaml(uniqueName('bad')))
    const invalid = failed(await cli(['submit', bad]))
    assert.match(invalid.stderr, /^error: the server refused the experiment in .*bad\.yaml\n/)
    assert.match(invalid.stderr, /bad\.yaml:8:\d+ \/spec\/maxTrialCount: /)
    assert.match(invalid.stderr, /bad\.yaml:10:\d+ \/spec\/parameters\/0\/feasibleSpace/)
    const broken = join(work, 'broken.yaml')
    writeFileSync(broken, 'apiVersion: kubeflow.org/v1beta1\nkind: [Experiment\n')
    assert.match(failed(await cli(['submit', broken])).stderr, /broken\.yaml:\d+:\d+ /)
    assert.match(failed(await cli(['submit', join(work, 'nope.yaml')]), 2).stderr, /nope\.yaml: cannot read the experiment: file not found/)

    const unknown = failed(await cli(['trials', 'no-such-experiment']))
    assert.equal(unknown.stderr, 'error: experiment "no-such-experiment" not found\n')
    failed(await cli(['logs', 'no-such-experiment', 'no-such-experiment-x']))

    const name = uniqueName('cli-empty')
    assert.equal((await api.createExperiment(experimentYaml(name, { template: false }))).experiment.metadata.name, name)
    assert.match(failed(await cli(['best', name])).stderr, new RegExp(`experiment "${name}" has no best trial yet: no trial has reported loss`))
    await api.deleteExperiment(name)

    assert.match(failed(await cli(['trials', 'x', '--limit', '0']), 2).stderr, /--limit/)
    assert.match(failed(await cli(['get', 'x', '-o', 'xml']), 2).stderr, /table, json, yaml/)
  })

  test('an unreachable server says so and how to fix it', async () => {
    const closed = await freePort()
    const result = failed(await cli(['list'], { TUNEWELL_SERVER: `http://127.0.0.1:${closed}` }))
    assert.match(result.stderr, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${closed}/.*ECONNREFUSED`))
    assert.match(result.stderr, /tunewell serve/)
    assert.match(result.stderr, /--server or TUNEWELL_SERVER/)
    // --server wins over the environment.
    ok(await cli(['list', '--server', server], { TUNEWELL_SERVER: `http://127.0.0.1:${closed}` }))
  })

  test('a server that needs a token: 401 says how to pass one; --token and TUNEWELL_TOKEN work; a read token cannot stop', async () => {
    const guarded = await buildApp({ store, tokens: [{ token: 'admin-secret', role: 'admin' }, { token: 'read-secret', role: 'read' }] })
    try {
      await guarded.listen({ host: '127.0.0.1', port: 0 })
      const url = `http://127.0.0.1:${(guarded.server.address() as AddressInfo).port}`
      const denied = failed(await cli(['list', '--server', url]))
      assert.match(denied.stderr, /error: this server needs a token/)
      assert.match(denied.stderr, /--token <token> or set TUNEWELL_TOKEN/)
      assert.match(failed(await cli(['list', '--server', url, '--token', 'wrong'])).stderr, /the bearer token is not valid/)
      ok(await cli(['list', '--server', url, '--token', 'admin-secret']))
      ok(await cli(['list', '--server', url], { TUNEWELL_TOKEN: 'read-secret' }))
      const forbidden = failed(await cli(['stop', 'anything', '--server', url, '--token', 'read-secret']))
      assert.match(forbidden.stderr, /read-only token cannot POST/)
    } finally {
      await guarded.close()
    }
  })
})
