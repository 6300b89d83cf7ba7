import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { request } from 'node:https'
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  Log,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type KubernetesObject,
  type V1Job,
} from '@kubernetes/client-node'
import { startFakeKubeProcess } from '../helpers/fake-kube/fake-kube-process.ts'
import { startFakeKube, type FakeKube, type KubeObject } from '../helpers/fake-kube/index.ts'
import { isRunning, until } from '../helpers/processes.ts'

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0

let kube: FakeKube
let ns: string
let batch: BatchV1Api
let core: CoreV1Api
let objects: KubernetesObjectApi
let custom: CustomObjectsApi

before(async () => {
  kube = await startFakeKube()
  ns = kube.namespace
  const kc = kube.kubeConfig()
  batch = kc.makeApiClient(BatchV1Api)
  core = kc.makeApiClient(CoreV1Api)
  custom = kc.makeApiClient(CustomObjectsApi)
  objects = KubernetesObjectApi.makeApiClient(kc)
})

after(async () => {
  await kube?.close()
})

/** A request outside the client's typed calls (discovery, headers), with the kubeconfig's CA and token. */
function raw(method: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  const cluster = kube.kubeConfig().getCurrentCluster()!
  return new Promise((resolve, reject) => {
    const req = request(`${kube.url}${path}`, { method, ca: Buffer.from(cluster.caData!, 'base64'), headers: { authorization: `Bearer ${kube.token}` } }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** The Status body of a failed call, whichever form the client left it in. */
function statusOf(error: unknown): { code: number; reason: string; message: string; details?: { causes?: { field?: string }[] } } {
  assert.ok(error instanceof ApiException, `expected an ApiException, got ${String(error)}`)
  const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body
  assert.equal(body.kind, 'Status')
  assert.equal(body.code, error.code)
  return body
}

async function refused(call: Promise<unknown>): Promise<ReturnType<typeof statusOf>> {
  try {
    await call
  } catch (error) {
    return statusOf(error)
  }
  assert.fail('the call succeeded')
}

function job(name: string, script: string, extra: { backoffLimit?: number; activeDeadlineSeconds?: number; labels?: Record<string, string> } = {}): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: extra.labels },
    spec: {
      backoffLimit: extra.backoffLimit ?? 0,
      activeDeadlineSeconds: extra.activeDeadlineSeconds,
      template: {
        metadata: { labels: { 'katib.kubeflow.org/trial': name } },
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'training-container', image: 'docker.io/library/python:3.12', command: [process.execPath, '-e', script], env: [{ name: 'TRIAL', value: name }] }],
        },
      },
    },
  }
}

function condition(object: KubeObject | undefined, type: string): { status: string; reason?: string; message?: string } | undefined {
  return object?.status?.conditions?.find((c: { type: string }) => c.type === type)
}

const finished = (object: KubeObject | undefined) => condition(object, 'Complete')?.status === 'True' || condition(object, 'Failed')?.status === 'True'

describe('the fake Kubernetes API server', () => {
  it('serves discovery for the core group, batch/v1 and the kubeflow.org custom resources', async () => {
    const fetchJson = async (path: string) => (await raw('GET', path)).body
    assert.deepEqual((await fetchJson('/api')).versions, ['v1'])
    const groups = (await fetchJson('/apis')).groups.map((g: { name: string }) => g.name)
    assert.ok(groups.includes('batch') && groups.includes('kubeflow.org'))
    const batchResources = (await fetchJson('/apis/batch/v1')).resources.map((r: { name: string }) => r.name)
    assert.ok(batchResources.includes('jobs') && batchResources.includes('jobs/status'))
    const kubeflow = (await fetchJson('/apis/kubeflow.org/v1')).resources.map((r: { kind: string }) => r.kind)
    assert.ok(kubeflow.includes('TFJob') && kubeflow.includes('PyTorchJob'))
    const katib = (await fetchJson('/apis/kubeflow.org/v1beta1')).resources.map((r: { kind: string }) => r.kind)
    assert.ok(katib.includes('Experiment'))
  })

  it('runs a Job as a local process: pod labels, owner, Complete condition, and the container log', async () => {
    const name = 'loss-job'
    const events: string[] = []
    const watch = new Watch(kube.kubeConfig())
    const done = new Promise<V1Job>((resolve, reject) => {
      void watch
        .watch(
          `/apis/batch/v1/namespaces/${ns}/jobs`,
          { fieldSelector: `metadata.name=${name}` },
          (type, object: V1Job) => {
            events.push(type)
            if (object.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')) resolve(object)
          },
          (error) => (error ? reject(error) : undefined),
        )
        .then((controller) => done.finally(() => controller.abort()))
    })
    const created = await batch.createNamespacedJob({ namespace: ns, body: job(name, "console.log('loss=0.5'); console.error('to stderr ' + process.env.TRIAL)") })
    assert.equal(created.metadata?.name, name)
    assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/)
    const complete = await done
    assert.equal(events[0], 'ADDED')
    assert.equal(complete.status?.succeeded, 1)
    assert.ok(complete.status?.startTime && complete.status?.completionTime)
    assert.ok(complete.status?.conditions?.some((c) => c.type === 'SuccessCriteriaMet'))

    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: `job-name=${name}` })
    assert.equal(pods.items.length, 1)
    const pod = pods.items[0]!
    assert.match(pod.metadata!.name!, new RegExp(`^${name}-[a-z0-9]{5}$`))
    assert.equal(pod.metadata!.labels!['batch.kubernetes.io/job-name'], name)
    assert.equal(pod.metadata!.labels!['controller-uid'], complete.metadata!.uid)
    assert.equal(pod.metadata!.labels!['katib.kubeflow.org/trial'], name)
    assert.deepEqual(pod.metadata!.ownerReferences!.map((r) => [r.kind, r.name, r.uid, r.controller]), [['Job', name, complete.metadata!.uid, true]])
    assert.equal(pod.status!.phase, 'Succeeded')
    assert.deepEqual(
      [pod.status!.containerStatuses![0]!.state!.terminated!.exitCode, pod.status!.containerStatuses![0]!.state!.terminated!.reason],
      [0, 'Completed'],
    )

    const log = await core.readNamespacedPodLog({ namespace: ns, name: pod.metadata!.name!, container: 'training-container' })
    assert.deepEqual(log.trim().split('\n').sort(), ['loss=0.5', `to stderr ${name}`])

    const stream = new PassThrough()
    let followed = ''
    stream.on('data', (chunk) => (followed += chunk))
    const ended = new Promise((resolve) => stream.on('end', resolve))
    await new Log(kube.kubeConfig()).log(ns, pod.metadata!.name!, 'training-container', stream, { follow: true, timestamps: true })
    await ended
    assert.match(followed, /^\d{4}-\d\d-\d\dT[\d:.]+Z loss=0.5$/m)
  })

  it('follows the log of a running container until it ends', async () => {
    const name = 'follow-job'
    await batch.createNamespacedJob({ namespace: ns, body: job(name, "let i = 0; const t = setInterval(() => { console.log('step=' + i); if (++i === 3) clearInterval(t) }, 50)") })
    const running = await kube.waitFor('jobs', ns, name, (j) => j?.status?.ready === 1)
    assert.ok(running)
    const [pod] = kube.podsOf(ns, name)
    const stream = new PassThrough()
    let followed = ''
    stream.on('data', (chunk) => (followed += chunk))
    const ended = new Promise((resolve) => stream.on('end', resolve))
    await new Log(kube.kubeConfig()).log(ns, pod!.metadata.name!, 'training-container', stream, { follow: true })
    await ended
    assert.equal(followed, 'step=0\nstep=1\nstep=2\n')
  })

  it("gives the process its container's environment and working directory, as a kubelet would", async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'fake-kube-workdir-'))
    try {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'env-source' }, data: { lr: '0.01' } } })
      const body = job('env-job', "console.log([process.env.POD, process.env.NS, process.env.LR, process.env.GREETING, process.argv.at(-1), process.cwd()].join(' '))")
      const container = body.spec!.template.spec!.containers[0]!
      container.workingDir = workDir
      container.env = [
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'LR', valueFrom: { configMapKeyRef: { name: 'env-source', key: 'lr' } } },
        { name: 'GREETING', value: 'lr=$(LR)' },
      ]
      container.args = ['--', '--lr=$(LR)']
      await batch.createNamespacedJob({ namespace: ns, body })
      await kube.waitFor('jobs', ns, 'env-job', finished)
      const [pod] = kube.podsOf(ns, 'env-job')
      assert.equal(kube.podLog(ns, pod!.metadata.name!), `${pod!.metadata.name} ${ns} 0.01 lr=0.01 --lr=0.01 ${realpathSync(workDir)}\n`)
    } finally {
      rmSync(workDir, { recursive: true, force: true })
    }
  })

  it('scripts a pod that is never scheduled, and a KWOK-style simulated run without a process', async () => {
    kube.scriptPods('never-job', { kind: 'pendingForever' })
    kube.scriptPods('sim-job', { kind: 'simulate', exitCode: 2, durationMs: 20, logLines: ['loss=0.25'] })
    await batch.createNamespacedJob({ namespace: ns, body: job('never-job', 'true') })
    await batch.createNamespacedJob({ namespace: ns, body: job('sim-job', 'this is not run') })
    const failed = await kube.waitFor('jobs', ns, 'sim-job', finished)
    assert.equal(condition(failed, 'Failed')?.reason, 'BackoffLimitExceeded')
    const [simulated] = kube.podsOf(ns, 'sim-job')
    assert.equal(simulated!.status.containerStatuses[0].state.terminated.exitCode, 2)
    assert.equal(kube.podLog(ns, simulated!.metadata.name!), 'loss=0.25\n')
    const [never] = kube.podsOf(ns, 'never-job')
    assert.equal(never!.status.phase, 'Pending')
    assert.deepEqual(
      never!.status.conditions.map((c: { type: string; status: string; reason: string }) => [c.type, c.status, c.reason]),
      [['PodScheduled', 'False', 'Unschedulable']],
    )
    assert.equal(never!.spec.nodeName, undefined)
    await batch.deleteNamespacedJob({ namespace: ns, name: 'never-job', propagationPolicy: 'Background' })
  })

  it('scripts a followed log that drops mid-run; sinceTime resumes in whole seconds', async () => {
    kube.dropLogs({ pod: 'droplog-job-*', afterLines: 2, times: 1 })
    await batch.createNamespacedJob({ namespace: ns, body: job('droplog-job', "let i = 0; const t = setInterval(() => { console.log('l' + i); if (++i === 5) clearInterval(t) }, 40)") })
    await kube.waitFor('jobs', ns, 'droplog-job', (j) => j?.status?.ready === 1)
    const [pod] = kube.podsOf(ns, 'droplog-job')
    const follow = async (options: { sinceTime?: string }) => {
      const stream = new PassThrough()
      let text = ''
      stream.on('data', (chunk) => (text += chunk))
      const ended = new Promise((resolve) => stream.on('end', resolve))
      await new Log(kube.kubeConfig()).log(ns, pod!.metadata.name!, 'training-container', stream, { follow: true, timestamps: true, ...options })
      await ended
      return text.trim().split('\n').map((line) => line.split(' ') as [string, string])
    }
    const first = await follow({})
    assert.deepEqual(first.map(([, text]) => text), ['l0', 'l1'])
    const rest = await follow({ sinceTime: first[1]![0] })
    const texts = rest.map(([, text]) => text)
    assert.deepEqual(texts.slice(texts.indexOf('l1')), ['l1', 'l2', 'l3', 'l4'], 'from the second of l1 on, l1 included')
  })

  it('answers a repeated create with 409 AlreadyExists, and generateName gives a fresh name', async () => {
    const body = { metadata: { name: 'twice' }, data: { a: '1' } }
    await core.createNamespacedConfigMap({ namespace: ns, body })
    const status = await refused(core.createNamespacedConfigMap({ namespace: ns, body }))
    assert.deepEqual([status.code, status.reason, status.message], [409, 'AlreadyExists', 'configmaps "twice" already exists'])
    const generated = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { generateName: 'gen-' } } })
    assert.match(generated.metadata!.name!, /^gen-[a-z0-9]{5}$/)
  })

  it('rejects an invalid Job with 422 Invalid and a cause per problem, validated by kubernetes-models', async () => {
    const bad = job('bad-job', 'true') as KubernetesObject & V1Job
    ;(bad.spec as unknown as Record<string, unknown>).backoffLimit = 'x'
    delete (bad.spec!.template.spec!.containers[0] as { name?: string }).name
    bad.spec!.template.spec!.restartPolicy = 'Always'
    const status = await refused(objects.create(bad))
    assert.equal(status.code, 422)
    assert.equal(status.reason, 'Invalid')
    const fields = (status.details?.causes ?? []).map((c) => c.field).sort()
    assert.deepEqual(fields, ['spec.backoffLimit', 'spec.template.spec.containers[0].name', 'spec.template.spec.restartPolicy'])
    assert.equal(kube.object('jobs', ns, 'bad-job'), undefined)
  })

  it('404s a missing object and a missing namespace with NotFound', async () => {
    const missing = await refused(batch.readNamespacedJob({ namespace: ns, name: 'nope' }))
    assert.deepEqual([missing.code, missing.reason, missing.message], [404, 'NotFound', 'jobs.batch "nope" not found'])
    const noNamespace = await refused(batch.createNamespacedJob({ namespace: 'elsewhere', body: job('x', 'true') }))
    assert.deepEqual([noNamespace.code, noNamespace.message], [404, 'namespaces "elsewhere" not found'])
  })

  it('selects by label (=, !=, in, notin, exists, !exists) and by metadata.name', async () => {
    const labelled: Record<string, Record<string, string>> = {
      'sel-a': { tier: 'a', trial: 'x' },
      'sel-b': { tier: 'b', trial: 'x' },
      'sel-c': { tier: 'c' },
    }
    for (const [name, labels] of Object.entries(labelled)) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels } } })
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await core.listNamespacedConfigMap({ namespace: ns, labelSelector, fieldSelector })).items.map((i) => i.metadata!.name).filter((n) => n!.startsWith('sel-'))
    assert.deepEqual(await names('tier=a'), ['sel-a'])
    assert.deepEqual(await names('tier!=a'), ['sel-b', 'sel-c'])
    assert.deepEqual(await names('tier in (a, c)'), ['sel-a', 'sel-c'])
    assert.deepEqual(await names('tier notin (a,c),trial'), ['sel-b'])
    assert.deepEqual(await names('!trial'), ['sel-c'])
    assert.deepEqual(await names('trial=x,tier in (b,c)'), ['sel-b'])
    assert.deepEqual(await names(undefined, 'metadata.name=sel-c'), ['sel-c'])
    const bad = await refused(core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'data.a=1' }))
    assert.equal(bad.code, 400)
  })

  it('merge-patches, counts generation, and refuses a stale resourceVersion with 409 Conflict', async () => {
    const created = await batch.createNamespacedJob({ namespace: ns, body: job('patch-job', 'setTimeout(() => {}, 60000)', { labels: { keep: 'yes' } }) })
    const patched = await batch.patchNamespacedJob(
      { namespace: ns, name: 'patch-job', body: { metadata: { labels: { added: 'x' } }, spec: { activeDeadlineSeconds: 600 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    assert.deepEqual(patched.metadata!.labels, { keep: 'yes', added: 'x' })
    assert.equal(patched.spec!.activeDeadlineSeconds, 600)
    assert.equal(patched.metadata!.generation, 2)
    assert.ok(Number(patched.metadata!.resourceVersion) > Number(created.metadata!.resourceVersion))

    const stale = await refused(batch.replaceNamespacedJob({ namespace: ns, name: 'patch-job', body: { ...created, spec: { ...created.spec!, parallelism: 1 } } }))
    assert.deepEqual([stale.code, stale.reason], [409, 'Conflict'])
    const immutable = await refused(
      batch.patchNamespacedJob(
        { namespace: ns, name: 'patch-job', body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'other' }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    )
    assert.equal(immutable.code, 422)
    await batch.deleteNamespacedJob({ namespace: ns, name: 'patch-job', propagationPolicy: 'Background' })
  })

  it('keeps status to the status subresource for custom resources', async () => {
    const experiment = {
      apiVersion: 'kubeflow.org/v1beta1',
      kind: 'Experiment',
      metadata: { name: 'exp-status', namespace: ns },
      spec: { maxTrialCount: 3 },
      status: { conditions: [{ type: 'Succeeded', status: 'True' }] },
    }
    const created = (await custom.createNamespacedCustomObject({ group: 'kubeflow.org', version: 'v1beta1', namespace: ns, plural: 'experiments', body: experiment })) as KubeObject
    assert.equal(created.status, undefined, 'status on create is dropped')
    const noVersion = await refused(
      custom.replaceNamespacedCustomObject({ group: 'kubeflow.org', version: 'v1beta1', namespace: ns, plural: 'experiments', name: 'exp-status', body: { ...experiment, metadata: { name: 'exp-status' } } }),
    )
    assert.equal(noVersion.code, 422, 'custom resources need metadata.resourceVersion on PUT')
    const replaced = (await custom.replaceNamespacedCustomObject({
      group: 'kubeflow.org',
      version: 'v1beta1',
      namespace: ns,
      plural: 'experiments',
      name: 'exp-status',
      body: { ...created, spec: { maxTrialCount: 4 }, status: { phase: 'ignored' } },
    })) as KubeObject
    assert.equal(replaced.spec.maxTrialCount, 4)
    assert.equal(replaced.status, undefined)
    assert.equal(replaced.metadata.generation, 2)
    const withStatus = (await custom.patchNamespacedCustomObjectStatus(
      { group: 'kubeflow.org', version: 'v1beta1', namespace: ns, plural: 'experiments', name: 'exp-status', body: { spec: { maxTrialCount: 99 }, status: { trials: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as KubeObject
    assert.deepEqual(withStatus.status, { trials: 1 })
    assert.equal(withStatus.spec.maxTrialCount, 4, 'the status endpoint changes status only')
    assert.equal(withStatus.metadata.generation, 2)
    const strategic = await refused(
      objects.patch({ apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', metadata: { name: 'exp-status', namespace: ns }, spec: { maxTrialCount: 5 } } as KubernetesObject),
    )
    assert.equal(strategic.code, 415)
  })

  it('gives 410 Gone (an ERROR event) to a watch from a compacted resourceVersion, and resumes a recent one', async () => {
    const first = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w-1', labels: { watch: 'me' } } } })
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w-2', labels: { watch: 'me' } } } })
    // Collects events until `count` arrived (then stops watching) or the server ends the watch.
    const collect = async (resourceVersion: string, count: number) => {
      const seen: { type: string; object: KubeObject }[] = []
      let controller: AbortController | undefined
      await new Promise<void>((resolve) => {
        void new Watch(kube.kubeConfig())
          .watch(
            `/api/v1/namespaces/${ns}/configmaps`,
            { labelSelector: 'watch=me', resourceVersion },
            (type, object: KubeObject) => {
              seen.push({ type, object })
              if (seen.length >= count) controller?.abort()
            },
            () => resolve(),
          )
          .then((c) => (controller = c))
      })
      return seen
    }
    const resumed = await collect(first.metadata!.resourceVersion!, 1)
    assert.deepEqual(resumed.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'w-2']])

    kube.compact()
    const expired = await collect(first.metadata!.resourceVersion!, 1)
    assert.equal(expired.length, 1)
    assert.equal(expired[0]!.type, 'ERROR')
    assert.deepEqual([expired[0]!.object.code, expired[0]!.object.reason], [410, 'Expired'])
  })

  it("keeps client-node's informer right across a closed watch and a 410: it relists", async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'inf-a', labels: { informer: 'yes' } } } })
    const informer = makeInformer(
      kube.kubeConfig(),
      `/api/v1/namespaces/${ns}/configmaps`,
      () => core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'informer=yes' }),
      'informer=yes',
    )
    const names = () => informer.list(ns).map((o) => o.metadata!.name).sort()
    let connects = 0
    informer.on('connect', () => connects++)
    await informer.start()
    try {
      await until(() => names().join() === 'inf-a', 'the informer listed inf-a')
      // While it is disconnected the world changes and the history is compacted: its resume gets 410.
      const listsBefore = kube.requests.filter((r) => r.verb === 'list' && r.resource === 'configmaps').length
      kube.closeWatches()
      kube.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inf-b', labels: { informer: 'yes' } } }, ns)
      kube.remove('configmaps', ns, 'inf-a')
      kube.compact()
      await until(() => names().join() === 'inf-b', 'the informer relisted: inf-b only')
      assert.equal(kube.requests.filter((r) => r.verb === 'list' && r.resource === 'configmaps').length, listsBefore + 1)
      assert.ok(connects >= 1)
    } finally {
      await informer.stop()
    }
  })

  it('deletes a Job with Background propagation: its pod goes and its process is killed', async () => {
    const before = new Set(kube.runningPids())
    await batch.createNamespacedJob({ namespace: ns, body: job('bg-job', 'setInterval(() => {}, 1000)') })
    await kube.waitFor('jobs', ns, 'bg-job', (j) => j?.status?.ready === 1)
    const [pod] = kube.podsOf(ns, 'bg-job')
    const started = kube.runningPids().filter((pid) => !before.has(pid))
    assert.equal(started.length, 1)
    assert.ok(isRunning(started[0]!))
    await batch.deleteNamespacedJob({ namespace: ns, name: 'bg-job', propagationPolicy: 'Background' })
    await kube.waitFor('pods', ns, pod!.metadata.name!, (p) => p === undefined)
    await until(() => !isRunning(started[0]!), 'the process of the deleted pod ended')
    assert.equal(kube.object('jobs', ns, 'bg-job'), undefined)
  })

  it('orphans the pods of a Job deleted without a propagationPolicy (batch/v1 default), with a warning', async () => {
    await batch.createNamespacedJob({ namespace: ns, body: job('orphan-job', 'setInterval(() => {}, 1000)') })
    await kube.waitFor('jobs', ns, 'orphan-job', (j) => j?.status?.ready === 1)
    const response = await raw('DELETE', `/apis/batch/v1/namespaces/${ns}/jobs/orphan-job`)
    assert.equal(response.status, 200)
    assert.match(String(response.headers.warning), /child pods are preserved by default/)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const [pod] = kube.podsOf(ns, 'orphan-job')
    assert.ok(pod, 'the pod stays')
    assert.equal(pod.metadata.ownerReferences, undefined)
    await core.deleteNamespacedPod({ namespace: ns, name: pod.metadata.name!, gracePeriodSeconds: 0 })
  })

  it('deletes in the foreground: the Job stays (with deletionTimestamp) until its pods are gone', async () => {
    await batch.createNamespacedJob({ namespace: ns, body: job('fg-job', "process.on('SIGTERM', () => setTimeout(() => process.exit(0), 100)); setInterval(() => {}, 1000)") })
    await kube.waitFor('jobs', ns, 'fg-job', (j) => j?.status?.ready === 1)
    const answer = await raw('DELETE', `/apis/batch/v1/namespaces/${ns}/jobs/fg-job?propagationPolicy=Foreground`)
    assert.equal(answer.status, 200)
    assert.equal(answer.body.kind, 'Job')
    assert.ok(answer.body.metadata.deletionTimestamp)
    assert.deepEqual(answer.body.metadata.finalizers, ['foregroundDeletion'])
    await kube.waitFor('jobs', ns, 'fg-job', (j) => j === undefined)
    assert.deepEqual(kube.podsOf(ns, 'fg-job'), [])
  })

  it('fails a Job with BackoffLimitExceeded after backoffLimit+1 failed pods', async () => {
    await batch.createNamespacedJob({ namespace: ns, body: job('fail-job', 'process.exit(3)', { backoffLimit: 1 }) })
    const failed = await kube.waitFor('jobs', ns, 'fail-job', finished)
    assert.deepEqual([condition(failed, 'Failed')?.reason, failed?.status.failed], ['BackoffLimitExceeded', 2])
    assert.ok(condition(failed, 'FailureTarget'))
    const pods = kube.podsOf(ns, 'fail-job')
    assert.equal(pods.length, 2)
    for (const pod of pods) assert.deepEqual([pod.status.phase, pod.status.containerStatuses[0].state.terminated.exitCode, pod.status.containerStatuses[0].state.terminated.reason], ['Failed', 3, 'Error'])
  })

  it('restarts a failed container in its pod under restartPolicy OnFailure, counting restarts against backoffLimit', async () => {
    // The pod's folder survives restarts: the program fails twice, then succeeds.
    const flaky = "const fs = require('fs'); const n = fs.existsSync('n') ? Number(fs.readFileSync('n', 'utf8')) : 0; fs.writeFileSync('n', String(n + 1)); console.log('attempt=' + n); process.exit(n < 2 ? 1 : 0)"
    const recovers = job('restart-job', flaky, { backoffLimit: 6 })
    recovers.spec!.template.spec!.restartPolicy = 'OnFailure'
    await batch.createNamespacedJob({ namespace: ns, body: recovers })
    const complete = await kube.waitFor('jobs', ns, 'restart-job', finished)
    assert.equal(condition(complete, 'Complete')?.status, 'True')
    const [pod] = kube.podsOf(ns, 'restart-job')
    const status = pod!.status.containerStatuses[0]
    assert.deepEqual([status.restartCount, status.lastState.terminated.exitCode, status.state.terminated.exitCode], [2, 1, 0])
    assert.equal(await core.readNamespacedPodLog({ namespace: ns, name: pod!.metadata.name! }), 'attempt=2\n')
    assert.equal(await core.readNamespacedPodLog({ namespace: ns, name: pod!.metadata.name!, previous: true }), 'attempt=1\n')

    const hopeless = job('crashloop-job', 'process.exit(1)', { backoffLimit: 1 })
    hopeless.spec!.template.spec!.restartPolicy = 'OnFailure'
    await batch.createNamespacedJob({ namespace: ns, body: hopeless })
    const failed = await kube.waitFor('jobs', ns, 'crashloop-job', finished)
    assert.equal(condition(failed, 'Failed')?.reason, 'BackoffLimitExceeded')
    const created = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=crashloop-job,reason=SuccessfulCreate' })
    assert.equal(created.items.length, 1, 'one pod: the container restarted in place, no second pod')
  })

  it('deletes a finished Job with its pods after ttlSecondsAfterFinished', async () => {
    const body = job('ttl-job', "console.log('done')")
    body.spec!.ttlSecondsAfterFinished = 0
    await batch.createNamespacedJob({ namespace: ns, body })
    await kube.waitFor('jobs', ns, 'ttl-job', (j) => j === undefined)
    await until(() => kube.podsOf(ns, 'ttl-job').length === 0, 'the pods went with the Job')
  })

  it('honours activeDeadlineSeconds: DeadlineExceeded and the process killed', async () => {
    await batch.createNamespacedJob({ namespace: ns, body: job('deadline-job', 'setInterval(() => {}, 1000)', { activeDeadlineSeconds: 1 }) })
    const failed = await kube.waitFor('jobs', ns, 'deadline-job', finished)
    assert.deepEqual([condition(failed, 'Failed')?.reason, condition(failed, 'Failed')?.message], ['DeadlineExceeded', 'Job was active longer than specified deadline'])
    assert.equal(failed?.status.completionTime, undefined)
  })

  it('scripts an image pull error: the pod stays Pending with ImagePullBackOff and its log is refused', async () => {
    const unscript = kube.scriptPods('pull-*', { kind: 'imagePullError' })
    try {
      await batch.createNamespacedJob({ namespace: ns, body: job('pull-job', 'true') })
      await until(() => kube.podsOf(ns, 'pull-job')[0]?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff', 'ImagePullBackOff')
      const [pod] = kube.podsOf(ns, 'pull-job')
      assert.equal(pod!.status.phase, 'Pending')
      const log = await refused(core.readNamespacedPodLog({ namespace: ns, name: pod!.metadata.name! }))
      assert.deepEqual([log.code, log.message], [400, `container "training-container" in pod "${pod!.metadata.name}" is waiting to start: ImagePullBackOff`])
      const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${pod!.metadata.name},type=Warning` })
      assert.ok(events.items.some((e) => e.reason === 'Failed' && e.message === 'Error: ImagePullBackOff'))
      await batch.deleteNamespacedJob({ namespace: ns, name: 'pull-job', propagationPolicy: 'Background' })
    } finally {
      unscript()
    }
  })

  it('scripts OOMKilled: exit code 137, reason OOMKilled, the Job Failed', async () => {
    kube.scriptPods('oom-job', { kind: 'oomKilled' })
    await batch.createNamespacedJob({ namespace: ns, body: job('oom-job', 'setInterval(() => {}, 1000)') })
    const failed = await kube.waitFor('jobs', ns, 'oom-job', finished)
    assert.equal(condition(failed, 'Failed')?.reason, 'BackoffLimitExceeded')
    const terminated = kube.podsOf(ns, 'oom-job')[0]!.status.containerStatuses[0].state.terminated
    assert.deepEqual([terminated.exitCode, terminated.reason], [137, 'OOMKilled'])
  })

  it('scripts a 403 Forbidden on a verb and resource, and a 409 on create', async () => {
    const allow = kube.forbid('create', 'jobs', ns)
    const forbidden = await refused(batch.createNamespacedJob({ namespace: ns, body: job('forbidden-job', 'true') }))
    assert.equal(forbidden.code, 403)
    assert.match(forbidden.message, /cannot create resource "jobs" in API group "batch" in the namespace/)
    allow()
    kube.conflictOnCreate('jobs', 'conflict-*')
    const conflict = await refused(batch.createNamespacedJob({ namespace: ns, body: job('conflict-job', 'true') }))
    assert.deepEqual([conflict.code, conflict.reason], [409, 'AlreadyExists'])
    await batch.createNamespacedJob({ namespace: ns, body: job('conflict-job', 'true') })
  })

  it('sends BOOKMARK events to a watch that allows them, with the current resourceVersion', async () => {
    const bookmarks = await startFakeKube({ bookmarkIntervalMs: 20 })
    try {
      const seen: { type: string; object: KubeObject }[] = []
      let controller: AbortController | undefined
      await new Promise<void>((resolve) => {
        void new Watch(bookmarks.kubeConfig())
          .watch(
            `/api/v1/namespaces/${bookmarks.namespace}/configmaps`,
            { allowWatchBookmarks: true },
            (type, object: KubeObject) => {
              seen.push({ type, object })
              if (type === 'BOOKMARK') controller?.abort()
            },
            () => resolve(),
          )
          .then((c) => (controller = c))
      })
      assert.equal(seen.at(-1)!.type, 'BOOKMARK')
      assert.equal(seen.at(-1)!.object.metadata.resourceVersion, String(bookmarks.resourceVersion))
    } finally {
      await bookmarks.close()
    }
  })

  it('scripts a watch that drops after N events', async () => {
    kube.dropWatches({ resource: 'configmaps', afterEvents: 2, times: 1 })
    for (const name of ['drop-1', 'drop-2', 'drop-3']) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels: { drop: 'yes' } } } })
    const seen: string[] = []
    await new Promise<void>((resolve, reject) => {
      void new Watch(kube.kubeConfig()).watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        { labelSelector: 'drop=yes' },
        (_type, object: KubeObject) => seen.push(object.metadata.name!),
        (error) => (error ? reject(error) : resolve()),
      )
    })
    assert.deepEqual(seen, ['drop-1', 'drop-2'])
  })

  it('runs a PyTorchJob as the training operator would: a pod per replica, job-role=master, Succeeded', async () => {
    const replica = (script: string) => ({
      replicas: 1,
      restartPolicy: 'OnFailure',
      template: { spec: { containers: [{ name: 'pytorch', image: 'docker.io/pytorch/pytorch:2', command: [process.execPath, '-e', script] }] } },
    })
    await objects.create({
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      metadata: { name: 'torch-1', namespace: ns },
      spec: { pytorchReplicaSpecs: { Master: replica("console.log('accuracy=0.9')"), Worker: replica('setTimeout(() => {}, 100)') } },
    } as KubernetesObject)
    const done = await kube.waitFor('pytorchjobs', ns, 'torch-1', (j) => condition(j, 'Succeeded')?.status === 'True')
    assert.equal(condition(done, 'Created')?.reason, 'PyTorchJobCreated')
    const masters = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'training.kubeflow.org/job-name=torch-1,training.kubeflow.org/job-role=master' })).items
    assert.deepEqual(masters.map((p) => p.metadata!.name), ['torch-1-master-0'])
    assert.equal(kube.podLog(ns, 'torch-1-master-0'), 'accuracy=0.9\n')
    assert.ok(kube.object('pods', ns, 'torch-1-worker-0'))
  })

  it('runs native sidecars beside the main container and stops them when it ends', async () => {
    // The pod's containers share its folder here: the main one ends once the sidecar is ready for SIGTERM.
    const body = job('sidecar-job', "const t = setInterval(() => { if (require('fs').existsSync('sidecar-ready')) { console.log('main done'); clearInterval(t) } }, 10)")
    body.spec!.template.spec!.initContainers = [
      { name: 'collector', image: 'tunewell', restartPolicy: 'Always', command: [process.execPath, '-e', "process.on('SIGTERM', () => { console.log('collector stopped'); process.exit(0) }); require('fs').writeFileSync('sidecar-ready', ''); setInterval(() => {}, 1000)"] },
    ]
    await batch.createNamespacedJob({ namespace: ns, body })
    const complete = await kube.waitFor('jobs', ns, 'sidecar-job', finished)
    assert.equal(condition(complete, 'Complete')?.status, 'True')
    const [pod] = kube.podsOf(ns, 'sidecar-job')
    await until(() => kube.podLog(ns, pod!.metadata.name!, 'collector').includes('collector stopped'), 'the sidecar got SIGTERM')
  })

  it('serves the resource of a CustomResourceDefinition created through the API', async () => {
    await objects.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'workflows.argoproj.io' },
      spec: {
        group: 'argoproj.io',
        scope: 'Namespaced',
        names: { kind: 'Workflow', plural: 'workflows', singular: 'workflow', listKind: 'WorkflowList' },
        versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }, subresources: { status: {} } }],
      },
    } as KubernetesObject)
    const created = await objects.create({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'wf-1', namespace: ns }, spec: { entrypoint: 'main' } } as KubernetesObject)
    assert.equal(created.metadata?.name, 'wf-1')
    const invalidCrd = await refused(objects.create({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x.example.com' }, spec: { group: 'example.com' } } as KubernetesObject))
    assert.equal(invalidCrd.code, 422)
  })

  it('answers kubectl: get with printer columns, wait for a condition, logs', { skip: !hasKubectl && 'kubectl is not installed' }, async () => {
    // Asynchronously: the fake serves from this process's event loop.
    const kubectl = async (...args: string[]) => (await promisify(execFile)('kubectl', ['--kubeconfig', kube.kubeconfigPath, ...args], { timeout: 30_000 })).stdout
    await batch.createNamespacedJob({ namespace: ns, body: job('kubectl-job', "console.log('from kubectl')") })
    assert.match(await kubectl('wait', '--for=condition=Complete', 'job/kubectl-job', '--timeout=20s'), /condition met/)
    assert.match(await kubectl('get', 'job', 'kubectl-job'), /^NAME\s+STATUS\s+COMPLETIONS\s+AGE\nkubectl-job\s+Complete\s+1\/1\s+\d+s\n$/)
    assert.equal(await kubectl('logs', 'job/kubectl-job'), 'from kubectl\n')
    kube.create({ apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', metadata: { name: 'kubectl-exp' }, spec: {} })
    kube.setStatus('experiments', ns, 'kubectl-exp', { conditions: [{ type: 'Created', status: 'True' }, { type: 'Succeeded', status: 'True' }] })
    assert.match(await kubectl('wait', '--for=condition=Succeeded', 'experiment/kubectl-exp', '--timeout=20s'), /condition met/)
    assert.match(await kubectl('get', 'experiments', 'kubectl-exp'), /^NAME\s+TYPE\s+STATUS\s+AGE\nkubectl-exp\s+Succeeded\s+True\s+\d+s\n$/)
  })

  it('runs in a process of its own for benchmarks, and slows requests on demand', async () => {
    const separate = await startFakeKubeProcess({ namespace: 'bench', events: false })
    try {
      const namespaces = await separate.kubeConfig().makeApiClient(CoreV1Api).listNamespace()
      assert.ok(namespaces.items.some((n) => n.metadata?.name === 'bench'))
      assert.notEqual(separate.pid, process.pid)
      assert.equal((await separate.requestCounts())['list namespaces'], 1, 'the requests it served, counted in its process')
      assert.equal((await separate.requestCounts())['list namespaces'], undefined, 'and cleared once read')
    } finally {
      await separate.close()
    }
    const slow = kube.failRequests({ verb: 'get', resource: 'configmaps', name: 'slow-*', delayMs: 300, times: 1 })
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'slow-1' } } })
    const started = Date.now()
    await core.readNamespacedConfigMap({ namespace: ns, name: 'slow-1' })
    assert.ok(Date.now() - started >= 250, 'the read was held (a lower bound: it cannot pass early)')
    slow()
  })

  it('creates a custom resource through the generic object API (discovery) and lists it with kinds', async () => {
    const tfjob = { apiVersion: 'kubeflow.org/v1', kind: 'TFJob', metadata: { name: 'tf-1', namespace: ns }, spec: { tfReplicaSpecs: {} } }
    const created = await objects.create(tfjob)
    assert.equal(created.metadata?.name, 'tf-1')
    const listed = await objects.list('kubeflow.org/v1', 'TFJob', ns)
    assert.deepEqual(listed.items.map((i) => [i.kind, i.metadata?.name]), [['TFJob', 'tf-1']])
  })
})
