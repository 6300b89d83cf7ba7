import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../api/app.ts'
import { ExperimentRunner } from '../../controller/experiment-runner.ts'
import { KubernetesExecutor } from '../../controller/kubernetes/kubernetes-executor.ts'
import type { Experiment } from '../../core/spec/index.ts'
import type { Store } from '../../db/store.ts'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'
import { jobExperiment, nodeScriptCommand } from '../helpers/job-experiment.ts'
import { openTestStore } from '../helpers/test-store.ts'

/**
 * The failure matrix of the issue ("Surviving faults"), each through a whole experiment run by
 * one controller (the ExperimentRunner with the KubernetesExecutor) against the fake API server:
 * an RBAC refusal, a missing namespace, a manifest the server rejects, an image that cannot be
 * pulled, backoffLimit exceeded, OOMKilled and activeDeadlineSeconds exceeded. Each failed trial
 * ends Failed with Kubernetes' own reason and message, as the API shows it, and the controller
 * goes on: a fault that strikes once fails that trial only (the later ones launch and the
 * experiment succeeds); one that strikes every trial fails the experiment by
 * maxFailedTrialCount, as Katib's would. The experiments run side by side under one executor,
 * each in a namespace of its own, so a fault in one never reaches another.
 * (test/kubernetes/executor.test.ts checks each fault on a single trial.)
 */

interface Row {
  /** Experiment and namespace name. */
  readonly name: string
  /** Scripts the fault; returns what removes it. */
  readonly fault: (kube: FakeKube, namespace: string) => () => void
  /** Only the first trial meets it (the experiment then succeeds), or every one (it fails by maxFailedTrialCount). */
  readonly strikes: 'once' | 'always'
  /** The executor's reason, as the trial's message starts with it, and what else the message says. */
  readonly reason: string
  readonly message: readonly RegExp[]
  readonly backoffLimit?: number
  readonly extraJobSpec?: string
  /** The namespace is not there. */
  readonly missingNamespace?: boolean
  /** The trials' program, if not PROGRAM. */
  readonly program?: string
}

const IMAGE = 'docker.io/library/node:20'

const ROWS: readonly Row[] = [
  {
    name: 'fail-rbac',
    strikes: 'once',
    fault: (kube, namespace) => kube.failRequests({ verb: 'create', resource: 'jobs', namespace, status: 403, times: 1 }),
    reason: 'Forbidden',
    message: [/jobs\.batch is forbidden/, /cannot create Job fail-rbac\//],
  },
  {
    name: 'fail-nons',
    strikes: 'always',
    missingNamespace: true,
    fault: () => () => {},
    reason: 'NotFound',
    message: [/namespaces "fail-nons" not found/],
  },
  {
    name: 'fail-invalid',
    strikes: 'always',
    // A placeholder where an integer goes: validate only warns (it cannot know the value), but it
    // renders as a string, which the API server's schema validation refuses (422 Invalid).
    extraJobSpec: '        completions: ${trialParameters.learningRate}\n',
    fault: () => () => {},
    reason: 'Invalid',
    message: [/Job\.batch "fail-invalid-[a-z0-9-]+" is invalid/, /completions/],
  },
  {
    name: 'fail-nowatch',
    strikes: 'always',
    // The Role lets it create Jobs but not list (so not watch) pods: the trial cannot be followed.
    fault: (kube, namespace) => kube.failRequests({ verb: 'list', resource: 'pods', namespace, status: 403 }),
    reason: 'Forbidden',
    message: [/cannot (?:watch|list) the pods of fail-nowatch\/fail-nowatch-[a-z0-9]+: .*pods is forbidden: .*cannot list resource "pods"/],
  },
  {
    name: 'fail-pull',
    strikes: 'once',
    fault: (kube, namespace) => kube.scriptPods('*', { kind: 'imagePullError' }, namespace, { jobs: 1 }),
    reason: 'ImagePullBackOff',
    message: [/Back-off pulling image "docker\.io\/library\/node:20"/],
  },
  {
    name: 'fail-backoff',
    strikes: 'once',
    backoffLimit: 1,
    // Both pods the backoff limit allows exit 1, each after a line of output.
    fault: (kube, namespace) => kube.scriptPods('*', { kind: 'simulate', exitCode: 1, durationMs: 20, logLines: ['loading data'] }, namespace, { jobs: 1 }),
    reason: 'BackoffLimitExceeded',
    message: [/Job has reached the specified backoff limit/, /Error \(exit code 1\)/],
  },
  {
    name: 'fail-oom',
    strikes: 'once',
    // Killed while it runs (it works for two seconds first, a while however slow this machine is).
    program: `setTimeout(() => console.log('loss=' + Number(process.argv.at(-1).slice(5))), 2000)`,
    fault: (kube, namespace) => kube.scriptPods('*', { kind: 'oomKilled', afterMs: 100 }, namespace, { jobs: 1 }),
    reason: 'BackoffLimitExceeded',
    message: [/OOMKilled \(exit code 137\)/],
  },
  {
    name: 'fail-deadline',
    strikes: 'once',
    extraJobSpec: '        activeDeadlineSeconds: 600\n',
    fault: (kube, namespace) => kube.scriptPods('*', { kind: 'deadlineExceeded' }, namespace, { jobs: 1 }),
    reason: 'DeadlineExceeded',
    message: [/Job was active longer than specified deadline/],
  },
]

const PROGRAM = `const lr = Number(process.argv.find((a) => a.startsWith('--lr=')).slice(5))
console.log('loss=' + (lr - 0.05) ** 2)`

/** Three trials one after another; two failures exceed maxFailedTrialCount 1 and fail the experiment. */
function experimentOf(row: Row): Experiment {
  const experiment = jobExperiment({
    name: row.name,
    namespace: row.name,
    maxTrials: 3,
    parallel: 1,
    image: IMAGE,
    command: nodeScriptCommand(row.program ?? PROGRAM),
    ...(row.backoffLimit === undefined ? {} : { backoffLimit: row.backoffLimit }),
    ...(row.extraJobSpec === undefined ? {} : { extraJobSpec: row.extraJobSpec }),
  })
  return { ...experiment, spec: { ...experiment.spec, maxFailedTrialCount: 1 } }
}

let store: Store
let kube: FakeKube
let app: FastifyInstance
const home = mkdtempSync(join(tmpdir(), 'tunewell-k8s-failures-'))

before(async () => {
  ;[store, kube] = await Promise.all([
    openTestStore(),
    startFakeKube({ namespaces: ROWS.filter((r) => !r.missingNamespace).map((r) => r.name) }),
  ])
  app = await buildApp({ store })
})
after(async () => {
  await app.close()
  await Promise.all([store.destroy(), kube.close()])
  rmSync(home, { recursive: true, force: true })
})

/** `work` for each item, at most `size` at once (the fake serves from this process: all at once would starve it on a small machine). */
async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  for (let at = 0; at < items.length; at += size) results.push(...(await Promise.all(items.slice(at, at + size).map(work))))
  return results
}

interface ApiTrial {
  readonly name: string
  readonly state: string
  readonly reason: string | null
  readonly message: string | null
}

async function apiTrials(experiment: string): Promise<ApiTrial[]> {
  const response = await app.inject({ method: 'GET', url: `/api/v1/experiments/${experiment}/trials` })
  assert.equal(response.statusCode, 200, response.body)
  return (response.json() as { items: Record<string, any>[] }).items.map((t) => ({
    name: t.name,
    state: t.status?.state ?? t.state,
    reason: t.status?.reason ?? t.reason ?? null,
    message: t.status?.message ?? t.message ?? null,
  }))
}

test('each fault fails its trial with Kubernetes\' reason and message; the controller runs on, and each experiment ends as Katib\'s would', { timeout: 180_000 }, async () => {
  const removes = ROWS.map((row) => row.fault(kube, row.name))
  // One controller: one executor for every experiment, as `tunewell serve --executor kubernetes` has.
  const executor = new KubernetesExecutor({ kubeConfig: kube.kubeConfig(), retryMs: 50, drainMs: 200, logWaitMs: 10_000 })
  try {
    const runs = await inBatches(ROWS, 4, async (row) => {
      const experiment = experimentOf(row)
      const record = await store.experiments.create({ name: row.name, spec: experiment, seed: 11 })
      const runner = new ExperimentRunner({
        store,
        suggestions: new SuggestionService(store),
        executor,
        launch: { baseDir: home, runDir: join(home, row.name), env: {} },
        pollMs: 50,
      })
      return { row, done: await runner.run(record.id) }
    })
    for (const { row, done } of runs) {
      const trials = await apiTrials(row.name)
      const where = `${row.name}: ${JSON.stringify(trials, null, 1)}`
      const failed = trials.filter((t) => t.state === 'Failed')
      for (const trial of failed) {
        assert.equal(trial.reason, 'TrialFailed', where)
        assert.ok(trial.message?.startsWith(`Job reason: ${row.reason}. `), where)
        for (const pattern of row.message) assert.match(trial.message ?? '', pattern, where)
      }
      if (row.strikes === 'once') {
        assert.equal(done.state, 'Succeeded', `${where}\n${done.reason}: ${done.message}`)
        assert.equal(trials.length, 3, where)
        assert.deepEqual(trials.map((t) => t.state), ['Failed', 'Succeeded', 'Succeeded'], where)
      } else {
        // maxFailedTrialCount 1: the second trial still launches, and its failure (the second) ends the experiment.
        assert.equal(done.state, 'Failed', where)
        assert.match(done.message ?? '', /2 trials failed, more than maxFailedTrialCount 1/, where)
        assert.deepEqual(trials.map((t) => t.state), ['Failed', 'Failed'], where)
      }
    }
    // Nothing left on the cluster: failed trials' Jobs are deleted too (retain is not set).
    for (const row of ROWS.filter((r) => !r.missingNamespace)) assert.deepEqual(kube.objects('jobs', row.name).map((j) => j.metadata.name), [], row.name)
  } finally {
    executor.close()
    for (const remove of removes) remove()
  }
})

test('a Role without pods/log: the trials fail Forbidden with Kubernetes\' message (the metrics cannot be read), and the experiment by maxFailedTrialCount', { timeout: 120_000 }, async () => {
  const name = 'fail-nolog'
  const namespaceKube = await startFakeKube({ namespaces: [name] })
  const unlog = namespaceKube.failRequests({ verb: 'get', resource: 'pods/log', namespace: name, status: 403 })
  // Far longer than the test waits: the refusal must end the trial, not the wait for its log.
  const executor = new KubernetesExecutor({ kubeConfig: namespaceKube.kubeConfig(), retryMs: 50, drainMs: 200, logWaitMs: 600_000 })
  try {
    const experiment = experimentOf({ name, strikes: 'always', fault: () => () => {}, reason: 'Forbidden', message: [] })
    const record = await store.experiments.create({ name, spec: experiment, seed: 11 })
    const runner = new ExperimentRunner({ store, suggestions: new SuggestionService(store), executor, launch: { baseDir: home, runDir: join(home, name), env: {} }, pollMs: 50 })
    const done = await runner.run(record.id)
    const trials = await apiTrials(name)
    const where = JSON.stringify(trials, null, 1)
    assert.equal(done.state, 'Failed', where)
    assert.deepEqual(trials.map((t) => t.state), ['Failed', 'Failed'], where)
    for (const trial of trials) {
      // client-node's Log drops the Status body of a refused log request: the code, and what to grant.
      assert.match(trial.message ?? '', /^Job reason: Forbidden\. cannot read the log of container training of pod fail-nolog-[a-z0-9]+-[a-z0-9]+: the Kubernetes API answered 403 Forbidden; the controller's account needs "get" on "pods\/log" in namespace fail-nolog/, where)
    }
    assert.deepEqual(namespaceKube.objects('jobs', name).map((j) => j.metadata.name), [], 'their Jobs deleted')
  } finally {
    unlog()
    executor.close()
    await namespaceKube.close()
  }
})
