import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ExperimentRunner, InterruptedError } from '../../controller/experiment-runner.ts'
import type { ExitResult, LaunchContext, PreparedTrial, StoredTrial, TrialExecutor, TrialRequest } from '../../controller/trial-executor.ts'
import { KubernetesExecutor } from '../../controller/kubernetes/kubernetes-executor.ts'
import type { KubernetesHandle } from '../../controller/kubernetes/kubernetes-handle.ts'
import type { Experiment } from '../../core/spec/index.ts'
import type { Store } from '../../db/store.ts'
import { killTrial } from '../../lifecycle/kill-trial.ts'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'
import { openTestStore } from '../helpers/test-store.ts'
import { jobExperiment, nodeScriptCommand } from '../helpers/job-experiment.ts'

/** A whole experiment run by the ExperimentRunner with its trials as Jobs on the fake API server. */

let store: Store
let kube: FakeKube
const home = mkdtempSync(join(tmpdir(), 'tunewell-k8s-runner-'))

before(async () => {
  ;[store, kube] = await Promise.all([openTestStore(), startFakeKube()])
})
after(async () => {
  await Promise.all([store.destroy(), kube.close()])
  rmSync(home, { recursive: true, force: true })
})

const PROGRAM = `const lr = Number(process.argv.find((a) => a.startsWith('--lr=')).slice(5))
for (let step = 1; step <= 3; step++) console.log('loss=' + ((lr - 0.05) ** 2 + 1 / step / 1000))`

function randomExperiment(name: string, program: string): Experiment {
  return jobExperiment({ name, maxTrials: 4, parallel: 2, image: 'docker.io/library/node:20', command: nodeScriptCommand(program) })
}

test('an experiment runs to Succeeded with its trials as Jobs: one Job per trial, objectives from the pods\' logs, no Job left behind', async () => {
  const experiment = randomExperiment('k8s-random', PROGRAM)
  const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 5 })
  const executor = new KubernetesExecutor({ kubeConfig: kube.kubeConfig(), retryMs: 50, drainMs: 200 })
  kube.clearRequests()
  try {
    const runner = new ExperimentRunner({
      store,
      suggestions: new SuggestionService(store),
      executor,
      launch: { baseDir: home, runDir: join(home, 'runs'), env: {} },
      pollMs: 50,
    })
    const done = await runner.run(record.id)
    assert.equal(done.state, 'Succeeded')
    assert.equal(done.reason, 'ExperimentMaxTrialsReached')
    const trials = await store.trials.list(record.id)
    assert.equal(trials.length, 4)
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message}`)
      const expected = (Number(trial.params.lr) - 0.05) ** 2 + 1 / 3 / 1000
      assert.ok(Math.abs(trial.objective! - expected) < 1e-9, `${trial.name}: ${trial.objective} vs ${expected}`)
      const handle = trial.execution as KubernetesHandle
      assert.deepEqual([handle.kind, handle.workloadKind, handle.namespace, handle.name], ['kubernetes', 'Job', 'tunewell-test', trial.name])
      const loss = await store.observations.list(trial.id, ['loss'])
      assert.equal(loss.length, 3)
      // Its output.log in the controller's folder, as a local trial's (what `tunewell logs` reads).
      assert.equal(readFileSync(join(home, 'runs', trial.name, 'output.log'), 'utf8'), loss.map((p) => `loss=${p.value}\n`).join(''))
      // No checkpoint folder here: a pod cannot see the controller's disk.
      assert.equal(existsSync(join(home, 'runs', trial.name, 'checkpoint')), false)
    }
    const creates = kube.requests.filter((r) => r.verb === 'create' && r.resource === 'jobs')
    assert.deepEqual(creates.map((r) => [r.name ?? '', r.code]).sort(), trials.map((t) => ['', 201]).sort())
    assert.deepEqual(kube.objects('jobs', 'tunewell-test').filter((j) => j.metadata.labels?.['katib.kubeflow.org/experiment'] === 'k8s-random'), [])
  } finally {
    executor.close()
  }
})

/**
 * The executor as a controller that dies sees it: after crash(), nothing more of its trials
 * reaches the runner (their `done` reports an interruption, which the runner leaves Running in
 * the database) and their Jobs stay on the cluster, unfollowed.
 */
class CrashingExecutor implements TrialExecutor {
  readonly kind = 'kubernetes'
  #crashed = false
  readonly #crash: (() => void)[] = []
  constructor(readonly inner: KubernetesExecutor) {}

  async prepare(request: TrialRequest): Promise<PreparedTrial> {
    const prepared = await this.inner.prepare(request)
    return {
      start: async (onLine) => {
        const trial = await prepared.start((line) => this.#crashed || onLine(line))
        const done = new Promise<ExitResult>((resolve) => {
          this.#crash.push(() => resolve({ phase: 'failed', reason: 'Interrupted', message: 'the controller died' }))
          void trial.done.then((result) => this.#crashed || resolve(result))
        })
        return { handle: trial.handle, done, stop: (reason) => this.#crashed || trial.stop(reason) }
      },
    }
  }

  stopOrphan(trial: StoredTrial, context: LaunchContext): Promise<boolean> {
    return this.inner.stopOrphan(trial, context)
  }

  crash(): void {
    this.#crashed = true
    this.inner.close()
    for (const end of this.#crash) end()
  }
}

test('a controller that dies mid-run: the next one re-attaches to the Jobs it left (no second Job, no restart) and finishes with every trial and every point once', async () => {
  const slow = `const lr = Number(process.argv.find((a) => a.startsWith('--lr=')).slice(5))
let step = 0
const tick = setInterval(() => { step++; console.log('loss=' + ((lr - 0.05) ** 2 + 1 / step / 1000)); if (step === 3) { clearInterval(tick) } }, 150)`
  const experiment = randomExperiment('k8s-crash', slow)
  const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 9 })
  const launch = { baseDir: home, runDir: join(home, 'runs-crash'), env: {} }
  const first = new CrashingExecutor(new KubernetesExecutor({ kubeConfig: kube.kubeConfig(), retryMs: 50, drainMs: 200 }))
  const abort = new AbortController()
  const firstRun = new ExperimentRunner({ store, suggestions: new SuggestionService(store), executor: first, launch, pollMs: 50 }).run(record.id, abort.signal)
  for (;;) {
    const running = (await store.trials.list(record.id, { states: ['Running'] })).filter((t) => (t.execution as { uid?: string } | null)?.uid)
    if (running.length === 2) break
    await new Promise((r) => setTimeout(r, 20))
  }
  first.crash()
  abort.abort()
  await assert.rejects(firstRun, InterruptedError)
  const left = (await store.trials.list(record.id, { states: ['Running'] })).map((t) => t.name).sort()
  assert.equal(left.length, 2)
  assert.deepEqual(left.map((name) => kube.object('jobs', 'tunewell-test', name)?.metadata.name), left, 'their Jobs run on')
  // What the dead controller had written of their logs: the next one writes them anew from the start.
  for (const name of left) writeFileSync(join(launch.runDir, name, 'output.log'), 'loss=7 (heard before the crash)\n')

  kube.clearRequests()
  const second = new KubernetesExecutor({ kubeConfig: kube.kubeConfig(), retryMs: 50, drainMs: 200 })
  try {
    const done = await new ExperimentRunner({ store, suggestions: new SuggestionService(store), executor: second, launch, pollMs: 50 }).run(record.id)
    assert.equal(done.state, 'Succeeded')
    const trials = await store.trials.list(record.id)
    assert.equal(trials.length, 4)
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message}`)
      assert.equal(trial.restarts, 0, trial.name)
      const loss = await store.observations.list(trial.id, ['loss'])
      assert.deepEqual(loss.map((p) => p.step), [0, 1, 2], trial.name)
      // A re-attached trial's log file starts over with its output: each line once.
      assert.equal(readFileSync(join(launch.runDir, trial.name, 'output.log'), 'utf8'), loss.map((p) => `loss=${p.value}\n`).join(''), trial.name)
      const expected = (Number(trial.params.lr) - 0.05) ** 2 + 1 / 3 / 1000
      assert.ok(Math.abs(trial.objective! - expected) < 1e-9, `${trial.name}: ${trial.objective} vs ${expected}`)
    }
    // Re-attached, not relaunched: the Jobs it left were followed to their end (and deleted then,
    // as every finished trial's is), and Jobs were created only for the two trials never started.
    const creates = kube.requests.filter((r) => r.verb === 'create' && r.resource === 'jobs')
    assert.deepEqual(creates.map((r) => r.code), [201, 201], 'only the two trials that never started')
    for (const name of left) {
      const own = kube.requests.filter((r) => r.resource === 'jobs' && r.name === name)
      assert.ok(own.some((r) => r.verb === 'get' && r.code === 200), `${name}: read by its handle`)
      assert.equal(own.filter((r) => r.verb === 'delete').length, 1, `${name}: deleted once, when it finished`)
    }
  } finally {
    second.close()
  }
})

test('a trial killed through the API while no controller ran: the next controller deletes its Job and leaves it Killed', async () => {
  // Runs until released, so its Job is still running when the next controller starts.
  const release = join(home, 'release-killed')
  const held = `const { existsSync } = require('node:fs')
const lr = Number(process.argv.find((a) => a.startsWith('--lr=')).slice(5))
const tick = setInterval(() => { if (existsSync(${JSON.stringify(release)})) { clearInterval(tick); console.log('loss=' + (lr - 0.05) ** 2) } }, 50)`
  const experiment = randomExperiment('k8s-killed', held)
  const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 3 })
  const launch = { baseDir: home, runDir: join(home, 'runs-killed'), env: {} }
  const first = new CrashingExecutor(new KubernetesExecutor({ kubeConfig: kube.kubeConfig(), retryMs: 50, drainMs: 200 }))
  const abort = new AbortController()
  const firstRun = new ExperimentRunner({ store, suggestions: new SuggestionService(store), executor: first, launch, pollMs: 50 }).run(record.id, abort.signal)
  let running: Awaited<ReturnType<Store['trials']['list']>> = []
  while (running.length < 2) {
    running = (await store.trials.list(record.id, { states: ['Running'] })).filter((t) => (t.execution as { uid?: string } | null)?.uid)
    await new Promise((r) => setTimeout(r, 20))
  }
  first.crash()
  abort.abort()
  await assert.rejects(firstRun, InterruptedError)
  const killed = running[0]!
  assert.ok(await killTrial(store, killed, 'killed by the user'))
  assert.ok(kube.object('jobs', 'tunewell-test', killed.name), 'its Job runs on')
  writeFileSync(release, '')

  kube.clearRequests()
  const second = new KubernetesExecutor({ kubeConfig: kube.kubeConfig(), retryMs: 50, drainMs: 200 })
  try {
    const done = await new ExperimentRunner({ store, suggestions: new SuggestionService(store), executor: second, launch, pollMs: 50 }).run(record.id)
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
    const own = kube.requests.filter((r) => r.resource === 'jobs' && r.name === killed.name)
    assert.deepEqual(own.filter((r) => r.verb === 'delete').map((r) => r.code), [200], 'its Job deleted by the recovery')
    assert.ok(!own.some((r) => r.verb === 'create'), 'not relaunched')
    assert.equal(kube.object('jobs', 'tunewell-test', killed.name), undefined)
    const after = (await store.trials.list(record.id)).find((t) => t.id === killed.id)!
    assert.equal(after.state, 'Killed')
  } finally {
    second.close()
  }
})
