import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { CustomObjectsApi, KubernetesObjectApi, loadYaml, type KubernetesObject } from '@kubernetes/client-node'
import { parseExperimentYaml, type Experiment } from '../../core/spec/index.ts'
import type { KatibExperimentStatus } from '../../core/spec/katib-experiment-status-schema.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../../db/store.ts'
import { completeExperiment } from '../../lifecycle/complete-experiment.ts'
import { completeIfDone } from '../../lifecycle/complete-if-done.ts'
import { finishTrial } from '../../lifecycle/finish-trial.ts'
import { offerBestTrial } from '../../lifecycle/offer-best-trial.ts'
import { restartExperiment } from '../../lifecycle/restart-experiment.ts'
import { startExperiment } from '../../lifecycle/start-experiment.ts'
import { startTrial } from '../../lifecycle/start-trial.ts'
import { ExperimentStatusWriter } from '../../controller/kubernetes/operator/experiment-status-writer.ts'
import type { ExperimentResourceRef } from '../../controller/kubernetes/operator/experiment-resource.ts'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'
import { openTestStore } from '../helpers/test-store.ts'

const run = promisify(execFile)
const crdPath = fileURLToPath(new URL('../../deploy/base/crd-experiments.yaml', import.meta.url))

let kube: FakeKube
let store: Store
let customObjects: CustomObjectsApi
let writer: ExperimentStatusWriter
const warnings: string[] = []

before(async () => {
  kube = await startFakeKube()
  store = await openTestStore()
  const kc = kube.kubeConfig()
  customObjects = kc.makeApiClient(CustomObjectsApi)
  // Our own CRD, POSTed as `kubectl apply -k deploy/` would: its printer columns replace the fake's defaults.
  await kc.makeApiClient(KubernetesObjectApi).create(loadYaml<KubernetesObject>(readFileSync(crdPath, 'utf8')))
  writer = new ExperimentStatusWriter({ kubeConfig: kc, store, retryMs: 20, trialListLimit: 5, log: { warn: (message) => warnings.push(message) } })
})

after(async () => {
  await kube?.close()
  await store?.destroy()
})

/** kubectl 1.32 against the fake, asynchronously (the fake serves from this event loop). */
const kubectl = async (...args: string[]) => (await run('kubectl', ['--kubeconfig', kube.kubeconfigPath, ...args], { timeout: 60_000 })).stdout

function experimentYaml(name: string, type: 'minimize' | 'maximize', extra = ''): string {
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
  namespace: ${kube.namespace}
spec:
  objective: { type: ${type}, objectiveMetricName: score, additionalMetricNames: [loss] }
  algorithm: { algorithmName: random }
  maxTrialCount: 4
  parallelTrialCount: 4
${extra}  parameters:
    - { name: lr, parameterType: double, feasibleSpace: { min: "0.001", max: "0.1" } }
    - { name: layers, parameterType: int, feasibleSpace: { min: "1", max: "8" } }
  trialTemplate:
    primaryContainerName: training
    trialParameters: [{ name: lr, reference: lr }, { name: layers, reference: layers }]
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            restartPolicy: Never
            containers:
              - { name: training, image: trainer, command: [train, "\${trialParameters.lr}", "\${trialParameters.layers}"] }
`
}

interface Owned {
  readonly ref: ExperimentResourceRef
  readonly record: ExperimentRecord
  readonly trials: TrialRecord[]
}

/** The resource in the cluster and its experiment in the database, Running with `params.length` Running trials. */
async function owned(name: string, type: 'minimize' | 'maximize', params: readonly { lr: number; layers: number }[], extra = ''): Promise<Owned> {
  const yaml = experimentYaml(name, type, extra)
  const created = await customObjects.createNamespacedCustomObject({
    group: 'kubeflow.org', version: 'v1beta1', namespace: kube.namespace, plural: 'experiments', body: loadYaml(yaml),
  }) as KubernetesObject
  const parsed = parseExperimentYaml(yaml)
  assert.ok(parsed.experiment, JSON.stringify(parsed.issues))
  const record = await store.experiments.create({ name, spec: parsed.experiment as Experiment, seed: 1 })
  assert.ok(await startExperiment(store, record, 'experiment started'))
  const trials = await store.trials.createMany(record.id, params.map((p, i) => ({ name: `${name}-${i}`, params: p })))
  for (const trial of trials) assert.ok(await startTrial(store, trial, null))
  return { ref: { namespace: kube.namespace, name, uid: created.metadata!.uid! }, record, trials }
}

/** A trial ends Succeeded with its metrics, and is offered as the best, as the runner does. */
async function succeed(trial: TrialRecord, score: number, loss: number): Promise<void> {
  assert.ok(await finishTrial(store, trial, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'trial succeeded', objective: score }, {
    score: { min: score / 2, max: score, latest: score },
    loss: { min: loss, max: loss * 4, latest: loss },
  }))
  await offerBestTrial(store, trial.experimentId, trial.id, score)
}

const statusOf = async (name: string) =>
  ((await customObjects.getNamespacedCustomObject({ group: 'kubeflow.org', version: 'v1beta1', namespace: kube.namespace, plural: 'experiments', name })) as { status?: KatibExperimentStatus }).status

/**
 * Katib's SDK, KatibClient.get_optimal_hyperparameters (sdk/python/v1beta1/kubeflow/katib/api/
 * katib_client.py): `status.currentOptimalTrial` when the status, it and its
 * `observation.metrics` are all there, else None. The same logic in Python over `kubectl get -o json`.
 */
async function optimalHyperparameters(name: string): Promise<unknown> {
  const json = await kubectl('get', 'experiment', name, '-o', 'json')
  const script = `
import json, sys
experiment = json.load(sys.stdin)
status = experiment.get("status")
trial = status.get("currentOptimalTrial") if status else None
if status and trial and (trial.get("observation") or {}).get("metrics"):
    print(json.dumps(trial))
else:
    print("null")
`
  const child = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] })
  child.stdin.end(json)
  let out = ''
  for await (const chunk of child.stdout) out += chunk
  return JSON.parse(out)
}

const patches = () => kube.requests.filter((r) => r.verb === 'patch' && r.resource === 'experiments/status')

describe('ExperimentStatusWriter against the API server (fake) with kubectl 1.32', () => {
  test('kubectl get experiments prints the written status in the CRD\'s columns', async () => {
    const { ref, trials } = await owned('columns', 'maximize', [{ lr: 0.01, layers: 2 }, { lr: 0.02, layers: 3 }, { lr: 0.03, layers: 4 }])
    await succeed(trials[1]!, 0.8, 0.3)
    await writer.write(ref, (await store.experiments.getByName('columns'))!.id)
    const wide = await kubectl('get', 'experiments', 'columns', '-o', 'wide')
    assert.match(wide, /^NAME\s+TYPE\s+STATUS\s+AGE\s+TRIALS\s+SUCCEEDED\s+BEST\n/)
    assert.match(wide, /\ncolumns\s+Running\s+True\s+\S+\s+3\s+1\s+columns-1\n$/)
    const status = await statusOf('columns')
    assert.deepEqual(status?.runningTrialList, ['columns-0', 'columns-2'])
    assert.deepEqual(status?.succeededTrialList, ['columns-1'])
    assert.equal(status?.trialsRunning, 2)
  })

  test('kubectl wait --for=condition=Succeeded exits 0 once the experiment completes', async () => {
    const { ref, record, trials } = await owned('waited', 'minimize', [{ lr: 0.01, layers: 1 }, { lr: 0.05, layers: 2 }])
    await writer.write(ref, record.id)
    const waiting = run('kubectl', ['--kubeconfig', kube.kubeconfigPath, 'wait', '--for=condition=Succeeded', 'experiment/waited', '--timeout=30s'], { timeout: 60_000 })
    await succeed(trials[0]!, 0.4, 0.2)
    await succeed(trials[1]!, 0.3, 0.1)
    await writer.write(ref, record.id)
    assert.equal((await statusOf('waited'))?.conditions?.at(-1)?.type, 'Running', 'not complete yet: 2 of maxTrialCount 4')
    await store.trials.createMany(record.id, [{ name: 'waited-2', params: { lr: 0.02, layers: 3 } }, { name: 'waited-3', params: { lr: 0.03, layers: 4 } }])
    for (const trial of (await store.trials.list(record.id, { states: ['Pending'] }))) {
      assert.ok(await startTrial(store, trial, null))
      await succeed(trial, 0.5, 0.3)
    }
    const done = await completeIfDone(store, (await store.experiments.get(record.id))!)
    assert.equal(done?.reason, 'ExperimentMaxTrialsReached')
    await writer.write(ref, record.id)
    const { stdout } = await waiting
    assert.match(stdout, /experiment.kubeflow.org\/waited condition met/)
    const status = await statusOf('waited')
    assert.deepEqual(status?.conditions?.map((c) => `${c.type}=${c.status}:${c.reason}`),
      ['Created=True:ExperimentCreated', 'Running=False:ExperimentRunning', 'Succeeded=True:ExperimentMaxTrialsReached'])
    assert.ok(status?.completionTime)
    assert.equal(status?.trials, 4)
    assert.equal(status?.trialsSucceeded, 4)
  })

  for (const type of ['maximize', 'minimize'] as const) {
    test(`Katib SDK's get_optimal_hyperparameters logic finds the best trial when it should ${type}`, async () => {
      const name = `best-${type.slice(0, 3)}`
      const params = [{ lr: 0.0125, layers: 2 }, { lr: 0.05, layers: 7 }, { lr: 0.1, layers: 1 }]
      const scores = [0.61, 0.93, 0.27]
      const { ref, record, trials } = await owned(name, type, params)
      await writer.write(ref, record.id)
      assert.equal(await optimalHyperparameters(name), null, 'no trial has metrics yet: None, as the SDK says')
      for (const [i, trial] of trials.entries()) await succeed(trial, scores[i]!, 1 - scores[i]!)
      await writer.write(ref, record.id)
      const bestIndex = scores.indexOf(type === 'maximize' ? Math.max(...scores) : Math.min(...scores))
      const best = params[bestIndex]!
      assert.deepEqual(await optimalHyperparameters(name), {
        bestTrialName: `${name}-${bestIndex}`,
        parameterAssignments: [{ name: 'lr', value: String(best.lr) }, { name: 'layers', value: String(best.layers) }],
        observation: {
          metrics: [
            { name: 'score', min: String(scores[bestIndex]! / 2), max: String(scores[bestIndex]), latest: String(scores[bestIndex]) },
            { name: 'loss', min: String(1 - scores[bestIndex]!), max: String((1 - scores[bestIndex]!) * 4), latest: String(1 - scores[bestIndex]!) },
          ],
        },
      })
    })
  }

  test('no API call while nothing changed; one PATCH of the status subresource when something did', async () => {
    const { ref, record, trials } = await owned('quiet', 'maximize', [{ lr: 0.01, layers: 1 }, { lr: 0.02, layers: 2 }])
    await writer.write(ref, record.id)
    kube.clearRequests()
    for (let i = 0; i < 5; i++) await writer.write(ref, record.id)
    assert.deepEqual([...kube.requests], [], 'nothing changed: no request at all')
    await succeed(trials[0]!, 0.5, 0.5)
    await writer.write(ref, record.id)
    assert.deepEqual(kube.requests.map((r) => `${r.method} ${r.resource} ${r.name} ${r.code}`), ['PATCH experiments/status quiet 200'])
    assert.equal((await statusOf('quiet'))?.trialsSucceeded, 1)
  })

  test('calls made while a write runs fold into one more write', async () => {
    const { ref, record, trials } = await owned('folded', 'maximize', [{ lr: 0.01, layers: 1 }])
    await writer.write(ref, record.id)
    await succeed(trials[0]!, 0.5, 0.5)
    kube.clearRequests()
    await Promise.all(Array.from({ length: 10 }, () => writer.write(ref, record.id)))
    assert.ok(patches().length >= 1 && patches().length <= 2, `${patches().length} PATCHes for 10 calls`)
    assert.equal((await statusOf('folded'))?.trialsSucceeded, 1)
  })

  test('a resource changed by someone else: the 409 is retried after reading it again', async () => {
    const { ref, record, trials } = await owned('edited', 'maximize', [{ lr: 0.01, layers: 1 }])
    await writer.write(ref, record.id)
    await customObjects.patchNamespacedCustomObject({
      group: 'kubeflow.org', version: 'v1beta1', namespace: kube.namespace, plural: 'experiments', name: 'edited',
      body: [{ op: 'add', path: '/metadata/labels', value: { team: 'vision' } }],
    })
    await succeed(trials[0]!, 0.5, 0.5)
    kube.clearRequests()
    await writer.write(ref, record.id)
    assert.deepEqual(kube.requests.map((r) => `${r.method} ${r.resource} ${r.code}`),
      ['PATCH experiments/status 409', 'GET experiments 200', 'PATCH experiments/status 200'])
    assert.equal((await statusOf('edited'))?.trialsSucceeded, 1)
  })

  test('a resource deleted (404), or deleted and created again (another uid), is left alone', async () => {
    const { ref, record, trials } = await owned('recreated', 'maximize', [{ lr: 0.01, layers: 1 }])
    await writer.write(ref, record.id)
    await kubectl('delete', 'experiment', 'recreated', '--wait=true')
    await succeed(trials[0]!, 0.5, 0.5)
    await writer.write(ref, record.id)
    await customObjects.createNamespacedCustomObject({
      group: 'kubeflow.org', version: 'v1beta1', namespace: kube.namespace, plural: 'experiments', body: loadYaml(experimentYaml('recreated', 'maximize')),
    })
    await writer.write(ref, record.id)
    await writer.writeInvalid(ref, ['spec.x: wrong'])
    assert.equal(await statusOf('recreated'), undefined, 'the new resource is not the old experiment\'s')
    assert.deepEqual(warnings.filter((w) => w.includes('recreated')), [])
  })

  test('API errors are logged and never thrown', async () => {
    const { ref, record } = await owned('refused', 'maximize', [{ lr: 0.01, layers: 1 }])
    const lift = kube.failRequests({ verb: 'patch', resource: 'experiments/status', status: 403 })
    try {
      await writer.write(ref, record.id)
    } finally {
      lift()
    }
    assert.ok(warnings.some((w) => w.includes(`Experiment ${kube.namespace}/refused`) && /forbidden/i.test(w)), warnings.join('\n'))
    // A passing failure (500) is tried again and the status lands.
    kube.failRequests({ verb: 'patch', resource: 'experiments/status', status: 500, times: 1 })
    await writer.write(ref, record.id)
    assert.equal((await statusOf('refused'))?.conditions?.at(-1)?.type, 'Running')
  })

  test('name lists keep the most recent names, the counters stay exact', async () => {
    const { ref, record, trials } = await owned('many', 'maximize', Array.from({ length: 12 }, (_, i) => ({ lr: 0.01 * (i + 1), layers: 1 })))
    for (const trial of trials.slice(0, 9)) await succeed(trial, 0.1, 0.1)
    await writer.write(ref, record.id)
    const status = await statusOf('many')
    assert.deepEqual(status?.succeededTrialList, ['many-4', 'many-5', 'many-6', 'many-7', 'many-8'])
    assert.deepEqual(status?.runningTrialList, ['many-9', 'many-10', 'many-11'])
    assert.equal(status?.trialsSucceeded, 9)
    assert.equal(status?.trials, 12)
  })

  test('Restarting after a completion, then Failed: kubectl sees each', async () => {
    const { ref, record, trials } = await owned('restarted', 'maximize', [{ lr: 0.01, layers: 1 }], '  maxFailedTrialCount: 0\n')
    await completeExperiment(store, record.id, { state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', message: 'done' })
    await writer.write(ref, record.id)
    assert.match(await kubectl('get', 'experiment', 'restarted'), /\nrestarted\s+Succeeded\s+True\s/)
    await restartExperiment(store, record.id, 'maxTrialCount raised')
    await writer.write(ref, record.id)
    assert.match(await kubectl('get', 'experiment', 'restarted'), /\nrestarted\s+Restarting\s+True\s/)
    const restarting = await statusOf('restarted')
    assert.equal(restarting?.conditions?.some((c) => c.type === 'Succeeded'), false)
    assert.equal(restarting?.completionTime, undefined, 'the merge patch dropped it')
    assert.ok(await startExperiment(store, (await store.experiments.get(record.id))!, 'experiment resumed'))
    await writer.write(ref, record.id)
    assert.match(await kubectl('get', 'experiment', 'restarted'), /\nrestarted\s+Running\s+True\s/)
    const [again] = await store.trials.createMany(record.id, [{ name: 'restarted-again', params: { lr: 0.02, layers: 2 } }])
    assert.ok(await startTrial(store, again!, null))
    assert.ok(await finishTrial(store, again!, { state: 'Failed', reason: 'TrialFailed', message: 'Job reason: BackoffLimitExceeded. x', objective: null }))
    assert.equal((await completeIfDone(store, (await store.experiments.get(record.id))!))?.state, 'Failed')
    await writer.write(ref, record.id)
    await kubectl('wait', '--for=condition=Failed', 'experiment/restarted', '--timeout=30s')
    const status = await statusOf('restarted')
    assert.deepEqual(status?.conditions?.map((c) => `${c.type}=${c.status}`), ['Created=True', 'Restarting=False', 'Running=False', 'Failed=True'])
    assert.equal(status?.trialsFailed, 1)
    assert.deepEqual(status?.killedTrialList, [trials[0]!.name], 'the first completion killed the running trial')
  })

  test('writeInvalid: a Failed condition listing every problem, kubectl wait --for=condition=Failed sees it', async () => {
    const created = await customObjects.createNamespacedCustomObject({
      group: 'kubeflow.org', version: 'v1beta1', namespace: kube.namespace, plural: 'experiments', body: loadYaml(experimentYaml('invalid', 'maximize')),
    }) as KubernetesObject
    const ref = { namespace: kube.namespace, name: 'invalid', uid: created.metadata!.uid! }
    const problems = ['spec.parallelTrialCount: must be at least 1', 'spec.algorithm.algorithmName: unknown algorithm "nope"']
    await writer.writeInvalid(ref, problems)
    await kubectl('wait', '--for=condition=Failed', 'experiment/invalid', '--timeout=30s')
    const status = await statusOf('invalid')
    assert.deepEqual(status?.conditions?.map((c) => `${c.type}=${c.status}:${c.reason}`), ['Created=True:ExperimentCreated', 'Failed=True:ExperimentInvalid'])
    for (const problem of problems) assert.ok(status?.conditions?.at(-1)?.message?.includes(problem))
    kube.clearRequests()
    await writer.writeInvalid(ref, problems)
    assert.deepEqual([...kube.requests], [], 'the same problems again: nothing to write')
  })
})
