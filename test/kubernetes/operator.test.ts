import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Experiment } from '../../core/spec/index.ts'
import { deleteCliExperiments } from '../helpers/cli-store.ts'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'
import { jobExperiment, nodeScriptCommand } from '../helpers/job-experiment.ts'
import { startServe, type ServeProcess } from '../helpers/serve-process.ts'

/**
 * Operator mode as a user meets it: `tunewell serve --executor kubernetes --watch-experiments`
 * as a child process against the fake API server, Experiment resources applied, patched and
 * deleted with the real kubectl, what happened read back through serve's API and the cluster.
 */

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-operator-'))
const suffix = Date.now().toString(36)
const names: string[] = []
const EXPERIMENTS = 'experiments.kubeflow.org'
let kube: FakeKube
let serve: ServeProcess | undefined

const name = (base: string) => {
  const full = `${base}-${suffix}`
  names.push(full)
  return full
}
const ok = name('op-ok')
const invalid = name('op-invalid')
const outside = name('op-outside')
const taken = name('op-taken')
const edited = name('op-edit')
const restarted = name('op-restart')
const doomed = name('op-delete')
const resumed = name('op-resume')

before(async () => {
  kube = await startFakeKube({ namespaces: ['team-a', 'team-b', 'team-c'] })
})
after(async () => {
  await serve?.stop()
  await deleteCliExperiments(home, names)
  await kube.close()
  rmSync(home, { recursive: true, force: true })
})

function serveEnv(): NodeJS.ProcessEnv {
  // A short resync, so the catching up after a missed event is seen within a test.
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kube.kubeconfigPath, TUNEWELL_OPERATOR_RESYNC_MS: '1000' }
  for (const key of ['TUNEWELL_EXECUTOR', 'TUNEWELL_REPORT_URL', 'TUNEWELL_WATCH_NAMESPACES']) delete env[key]
  return env
}

function startOperator(extra: readonly string[] = []): Promise<ServeProcess> {
  return startServe(['--home', home, '--no-dashboard', '--log-level', 'warn', '--executor', 'kubernetes', '--watch-experiments', ...extra], 60_000, serveEnv())
}

/** SIGTERM to serve; its exit code, or a failure with its output when it does not stop. */
async function stopServe(): Promise<number | null> {
  const server = serve!
  let timer: NodeJS.Timeout | undefined
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`serve did not stop within 60 s\n${server.output.out}\n${server.output.err}`)), 60_000)
  })
  try {
    return await Promise.race([server.stop(), stuck])
  } finally {
    clearTimeout(timer)
  }
}

interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A child process, asynchronously: the fake API server answers from this test's event loop. */
function run(command: string, args: readonly string[], input?: string, env: NodeJS.ProcessEnv = serveEnv()): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: home, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

async function kubectl(args: readonly string[], input?: string): Promise<Result> {
  const result = await run('kubectl', ['--kubeconfig', kube.kubeconfigPath, ...args], input)
  assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`)
  return result
}

const QUICK = `const lr = Number(process.argv.find((a) => a.startsWith('--lr=')).slice(5))
for (let step = 1; step <= 3; step++) console.log('loss=' + ((lr - 0.05) ** 2 + 1 / step / 1000))`

/** Prints its loss after `ms`. */
const slow = (ms: number) => `const lr = Number(process.argv.find((a) => a.startsWith('--lr=')).slice(5))
setTimeout(() => console.log('loss=' + (lr - 0.05) ** 2), ${ms})`

function resource(o: { name: string; namespace: string; maxTrials: number; parallel: number; program: string; retain?: boolean }): Experiment {
  const experiment = jobExperiment({ ...o, image: 'docker.io/library/node:20', command: nodeScriptCommand(o.program) })
  if (o.retain) experiment.spec.trialTemplate!.retain = true
  return experiment
}

const apply = (document: unknown) => kubectl(['apply', '--validate=false', '-f', '-'], JSON.stringify(document))

interface ApiExperiment {
  readonly metadata: { readonly annotations?: Record<string, string>; readonly namespace?: string }
  readonly spec: Experiment['spec']
  readonly status: { readonly state: string; readonly trials: number; readonly trialsSucceeded: number; readonly trialsRunning: number; readonly currentOptimalTrial?: { readonly observation?: { readonly metrics?: unknown[] } } }
}

/** The experiment as serve's API has it; undefined: none of that name. */
async function apiExperiment(experiment: string): Promise<ApiExperiment | undefined> {
  const response = await fetch(`${serve!.url}/api/v1/experiments/${experiment}`)
  if (response.status === 404) return undefined
  assert.equal(response.status, 200, await response.clone().text())
  return (await response.json()) as ApiExperiment
}

/** Polls `check` until it returns something, for at most 90 s. */
async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 90_000
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${serve?.output.err ?? ''}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

const finished = (experiment: string) => eventually(`${experiment} to succeed`, async () => {
  const found = await apiExperiment(experiment)
  assert.notEqual(found?.status.state, 'Failed', JSON.stringify(found?.status))
  return found?.status.state === 'Succeeded' ? found : undefined
})

const uidOf = (namespace: string, experiment: string) => String(kube.object(EXPERIMENTS, namespace, experiment)?.metadata?.uid)
const jobsOf = (namespace: string, experiment: string) => kube.objects('jobs', namespace).filter((job) => job.metadata?.labels?.['katib.kubeflow.org/experiment'] === experiment)
const statusWrites = (namespace: string, experiment: string) =>
  kube.requests.filter((r) => r.resource === 'experiments/status' && r.namespace === namespace && r.name === experiment && (r.verb === 'patch' || r.verb === 'update')).length

test('--watch-experiments and --namespaces: usage errors exit 2 with what to do', async () => {
  const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => run(process.execPath, [bin, 'serve', '--port', '0', '--home', home, ...args], undefined, { ...serveEnv(), ...env })
  const local = await cli(['--watch-experiments'])
  assert.equal(local.code, 2)
  assert.match(local.stderr, /--watch-experiments .* needs the kubernetes executor: add --executor kubernetes/)
  const bad = await cli(['--executor', 'kubernetes', '--watch-experiments', '--namespaces', 'team-a,Team_B'])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /--namespaces must be namespace names separated by commas .* got "Team_B"/)
  const empty = await cli(['--executor', 'kubernetes', '--watch-experiments'], { TUNEWELL_WATCH_NAMESPACES: 'a,,b' })
  assert.equal(empty.code, 2)
  assert.match(empty.stderr, /TUNEWELL_WATCH_NAMESPACES must be namespace names/)
  const alone = await cli(['--executor', 'kubernetes', '--namespaces', 'team-a'])
  assert.equal(alone.code, 2)
  assert.match(alone.stderr, /--namespaces only applies with --watch-experiments/)
})

describe('tunewell serve --executor kubernetes --watch-experiments', { timeout: 600_000 }, () => {
  test('runs an Experiment resource to Succeeded (Jobs owned by it, metrics from pod logs); an invalid one gets a Failed condition once; other namespaces are left alone', async () => {
    serve = await startOperator(['--namespaces', 'team-a,team-b'])
    await eventually('the startup lines', () => (serve!.output.out.includes('operator:') ? true : undefined))
    assert.match(serve.output.out, /operator: running the Experiment resources \(kubeflow\.org\/v1beta1\) of namespace\(s\) team-a, team-b/)
    const bad = resource({ name: invalid, namespace: 'team-a', maxTrials: 2, parallel: 1, program: QUICK })
    bad.spec.parallelTrialCount = 0
    bad.spec.maxTrialCount = -1
    await apply(bad)
    await apply(resource({ name: outside, namespace: 'team-c', maxTrials: 2, parallel: 1, program: QUICK }))
    await apply(resource({ name: ok, namespace: 'team-a', maxTrials: 3, parallel: 2, program: QUICK, retain: true }))

    const done = await finished(ok)
    assert.equal(done.status.trialsSucceeded, 3)
    assert.equal(done.metadata.namespace, 'team-a')
    assert.ok((done.status.currentOptimalTrial?.observation?.metrics ?? []).length > 0, 'the objective came from the pods\' logs')
    const jobs = jobsOf('team-a', ok)
    assert.equal(jobs.length, 3)
    const owner = { apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', name: ok, uid: uidOf('team-a', ok), controller: true, blockOwnerDeletion: true }
    for (const job of jobs) assert.deepEqual(job.metadata?.ownerReferences, [owner])
    // Katib's status reaches the resource: what `kubectl wait` waits for.
    await kubectl(['wait', '--for=condition=Succeeded', `experiment/${ok}`, '-n', 'team-a', '--timeout=60s'])

    const failed = await kube.waitFor(EXPERIMENTS, 'team-a', invalid, (o) => (o?.status?.conditions ?? []).some((c: { type: string }) => c.type === 'Failed'))
    const condition = failed!.status.conditions.find((c: { type: string }) => c.type === 'Failed')
    assert.equal(condition.status, 'True')
    assert.match(condition.message, /\/spec\/parallelTrialCount/)
    assert.match(condition.message, /\/spec\/maxTrialCount/)
    assert.equal(await apiExperiment(invalid), undefined, 'an invalid resource has no experiment')
    // Many resyncs passed while the valid one ran: its Failed condition was written once.
    assert.equal(statusWrites('team-a', invalid), 1)
    assert.equal(await apiExperiment(outside), undefined, 'team-c is not watched')
    assert.equal(kube.object(EXPERIMENTS, 'team-c', outside)?.status, undefined)
  })

  test('a resource whose name an API-submitted experiment holds fails naming it (seen after a relist), and that experiment is left alone; the operator\'s mark is refused on submissions', async () => {
    const submitted = await fetch(`${serve!.url}/api/v1/experiments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...resource({ name: taken, namespace: 'team-b', maxTrials: 1, parallel: 1, program: QUICK }), spec: { ...resource({ name: taken, namespace: 'team-b', maxTrials: 1, parallel: 1, program: QUICK }).spec, trialTemplate: undefined } }),
    })
    assert.equal(submitted.status, 201, await submitted.clone().text())
    // The watches end and the history they would resume from is gone (410 Gone): the operator relists.
    kube.compact()
    kube.closeWatches()
    await apply(resource({ name: taken, namespace: 'team-b', maxTrials: 2, parallel: 1, program: QUICK }))
    const failed = await kube.waitFor(EXPERIMENTS, 'team-b', taken, (o) => (o?.status?.conditions ?? []).some((c: { type: string }) => c.type === 'Failed'))
    assert.match(JSON.stringify(failed!.status.conditions), /taken by an experiment submitted through the API .*tunewell delete/)
    const held = await apiExperiment(taken)
    assert.equal(held?.spec.trialTemplate, undefined, 'the API-submitted experiment is still the one stored')

    const forged = resource({ name: `${taken}-forged`, namespace: 'team-b', maxTrials: 1, parallel: 1, program: QUICK })
    forged.metadata.annotations = { 'tunewell.dev/experiment-resource-uid': 'x' }
    const refused = await fetch(`${serve!.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) })
    assert.equal(refused.status, 422)
    assert.match(await refused.text(), /marks an experiment created from the Experiment resource/)
  })

  test('edits of maxTrialCount and parallelTrialCount are applied, a completed experiment restarted only when its resumePolicy allows; an edit of anything else is refused with a Warning Event and the stored spec runs on', async () => {
    await apply(resource({ name: edited, namespace: 'team-b', maxTrials: 2, parallel: 1, program: slow(1500) }))
    await eventually('the edited experiment to run', async () => ((await apiExperiment(edited))?.status.trials ?? 0) > 0 || undefined)
    await kubectl(['patch', 'experiment', edited, '-n', 'team-b', '--type', 'merge', '-p', JSON.stringify({ spec: { maxTrialCount: 4, parallelTrialCount: 2 } })])
    await eventually('the counts to be applied', async () => {
      const spec = (await apiExperiment(edited))?.spec
      return spec?.maxTrialCount === 4 && spec.parallelTrialCount === 2 || undefined
    })
    await kubectl(['patch', 'experiment', edited, '-n', 'team-b', '--type', 'merge', '-p', JSON.stringify({ spec: { objective: { goal: 0.5 } } })])
    const warning = await eventually('a Warning Event', () => kube.objects('events', 'team-b').find((e) => e.involvedObject?.name === edited && e.reason === 'SpecChangeRefused'))
    assert.equal(warning.type, 'Warning')
    assert.equal(warning.involvedObject.uid, uidOf('team-b', edited))
    assert.match(warning.message, /\/spec\/objective\/goal/)
    const done = await finished(edited)
    assert.equal(done.status.trials, 4)
    assert.equal(done.spec.objective.goal, undefined, 'the refused edit is not applied')

    // Completed: a larger budget restarts it only when its resumePolicy allows (Never here). The
    // refused goal is taken back in the same edit, so only the restart is judged.
    await kubectl(['patch', 'experiment', edited, '-n', 'team-b', '--type', 'merge', '-p', JSON.stringify({ spec: { maxTrialCount: 5, objective: { goal: null } } })])
    const never = await eventually('a Warning Event about the restart', () =>
      kube.objects('events', 'team-b').find((e) => e.involvedObject?.name === edited && /resumePolicy Never/.test(e.message ?? '')))
    assert.equal(never.reason, 'SpecChangeRefused')
    const restartable = resource({ name: restarted, namespace: 'team-b', maxTrials: 1, parallel: 1, program: QUICK })
    restartable.spec.resumePolicy = 'LongRunning'
    await apply(restartable)
    assert.equal((await finished(restarted)).status.trials, 1)
    await kubectl(['patch', 'experiment', restarted, '-n', 'team-b', '--type', 'merge', '-p', JSON.stringify({ spec: { maxTrialCount: 2 } })])
    await eventually('the restarted experiment to finish its larger budget', async () => {
      const found = await apiExperiment(restarted)
      return found?.status.state === 'Succeeded' && found.status.trials === 2 ? true : undefined
    })
    assert.equal((await apiExperiment(edited))?.spec.maxTrialCount, 4, 'the refused restart is not applied')
  })

  test('deleting the resource stops its trials, deletes their Jobs and the experiment', async () => {
    await apply(resource({ name: doomed, namespace: 'team-a', maxTrials: 2, parallel: 2, program: slow(600_000) }))
    await eventually('both trials to run', async () => (await apiExperiment(doomed))?.status.trialsRunning === 2 || undefined)
    await eventually('both Jobs', () => (jobsOf('team-a', doomed).length === 2 ? true : undefined))
    await kubectl(['delete', 'experiment', doomed, '-n', 'team-a'])
    await eventually('the experiment to be deleted', async () => ((await apiExperiment(doomed)) === undefined ? true : undefined))
    await eventually('its Jobs to be deleted', () => (jobsOf('team-a', doomed).length === 0 ? true : undefined))
  })

  test('a restarted serve resumes a running experiment without duplicating it, deletes what was deleted meanwhile, replaces what was recreated; without --namespaces every namespace is watched', async () => {
    await apply(resource({ name: resumed, namespace: 'team-a', maxTrials: 3, parallel: 1, program: slow(1500) }))
    await eventually('a trial to run', async () => ((await apiExperiment(resumed))?.status.trialsRunning ?? 0) > 0 || undefined)
    assert.equal(await stopServe(), 0, serve!.output.err)

    // While no controller runs: one resource deleted, one deleted and created again.
    const oldUid = uidOf('team-b', edited)
    await kubectl(['delete', 'experiment', ok, '-n', 'team-a'])
    await kubectl(['delete', 'experiment', edited, '-n', 'team-b'])
    await apply(resource({ name: edited, namespace: 'team-b', maxTrials: 1, parallel: 1, program: QUICK }))
    assert.notEqual(uidOf('team-b', edited), oldUid)

    serve = await startOperator()
    await eventually('the startup lines', () => (serve!.output.out.includes('operator:') ? true : undefined))
    assert.match(serve.output.out, /operator: running the Experiment resources \(kubeflow\.org\/v1beta1\) of all namespaces/)
    const done = await finished(resumed)
    assert.equal(done.status.trials, 3, 'no trial launched twice')
    const list = (await (await fetch(`${serve.url}/api/v1/experiments?name=${resumed}`)).json()) as { items: unknown[] }
    assert.equal(list.items.length, 1)
    await eventually(`${ok} to be deleted`, async () => ((await apiExperiment(ok)) === undefined ? true : undefined))
    const replaced = await eventually('the recreated resource to run', async () => {
      const found = await apiExperiment(edited)
      return found?.metadata.annotations?.['tunewell.dev/experiment-resource-uid'] === uidOf('team-b', edited) ? found : undefined
    })
    assert.equal(replaced.spec.maxTrialCount, 1)
    assert.equal((await finished(edited)).status.trials, 1)
    assert.equal((await finished(outside)).status.trialsSucceeded, 2, 'team-c is watched now')
    assert.equal(await stopServe(), 0, serve.output.err)
  })
})
