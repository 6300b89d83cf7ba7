/**
 * A fake Kubernetes API server for tests: real HTTPS that the real `@kubernetes/client-node`
 * talks to, with the API conventions a client depends on, and a Job/Pod simulator that runs a
 * container's command as a local process.
 *
 * ```ts
 * const kube = await startFakeKube()            // https://127.0.0.1:<port>, namespace 'tunewell-test'
 * const kc = kube.kubeConfig()                  // KubeConfig loaded from kube.kubeconfigPath
 * const batch = kc.makeApiClient(BatchV1Api)
 * await batch.createNamespacedJob({ namespace: kube.namespace, body: job })
 * kube.object('jobs', kube.namespace, 'x')?.status   // direct look at what is stored
 * kube.podLog(kube.namespace, podName)          // what the container printed
 * await kube.close()                            // kills every process it started
 * ```
 *
 * startFakeKube(options?): Promise<FakeKube>; options (all optional):
 * - namespace ('tunewell-test'): the kubeconfig context's namespace; `namespaces` are created too
 *   (and 'default', 'kube-system'). Other namespaces: 404 until created through the API.
 * - tls (true): HTTPS with a self-signed CA (made with openssl, put in the kubeconfig as
 *   certificate-authority-data); false serves http with `insecure-skip-tls-verify: true`.
 * - stepDelayMs (10): the kubelet's delay per pod step (scheduled, creating, running).
 * - podBackoffMs (100): the Job controller's wait before replacing a failed pod.
 * - watchWindow (10000): events kept for resuming watches; an older resourceVersion gets 410.
 * - goneAsHttpStatus (false): 410 as an HTTP status instead of the ERROR event real servers send.
 * - bookmarkIntervalMs (1000): BOOKMARK events for watches that ask (allowWatchBookmarks).
 * - entrypoints ({}): image -> command, for containers that give no `command`.
 * - passEnv (PATH, HOME, LANG, TMPDIR): host variables the trial processes inherit.
 * - maxGracePeriodMs (2000): cap on a pod deletion's grace period before SIGKILL.
 * - restartBackoffMs (100): restartPolicy OnFailure restarts a failed container in its pod after
 *   this (doubling: CrashLoopBackOff, restartCount, lastState; its old log is `previous=true`),
 *   and the Job fails once the restarts reach backoffLimit, as Kubernetes does.
 * - customResources: more resources to serve (kubeflow.org TFJob/PyTorchJob/XGBoostJob/MPIJob v1
 *   and Experiment/Trial/Suggestion v1beta1 are there already); also registerResource(), or
 *   POST a CustomResourceDefinition. The kubeflow.org/v1 training jobs run: one pod per replica
 *   with the training operator's labels (job-role=master on the master), and conditions
 *   Created, Running, Succeeded/Failed (training-operator.ts).
 * - defaultPodBehaviour ({ kind: 'run' }): see PodBehaviour.
 * - events (true): core/v1 Events from the job controller, scheduler and kubelet (Scheduled,
 *   Started, Killing, Failed 'Error: ErrImagePull', BackoffLimitExceeded, ...); false for benches.
 *
 * FakeKube:
 * - url, kubeconfigPath, namespace, token, kubeConfig()
 * - object(resource, namespace, name) / objects(resource, namespace?): stored objects (copies);
 *   resource is a plural ('jobs', 'pods'), 'plural.group' ('tfjobs.kubeflow.org') or a kind.
 * - create(object, namespace?): an object created as through the API (validated, defaulted).
 * - setStatus(resource, namespace, name, status): what another controller would write.
 * - podsOf(namespace, jobName): the pods of a Job (by the job-name label).
 * - podLog(namespace, pod, container?): the container's log so far.
 * - runningPids(): processes of pods still running.
 * - waitFor(resource, namespace, name, predicate, timeoutMs?): resolves with the object once the
 *   predicate holds (event driven, no polling).
 * - requests: every request (verb, resource, namespace, name, code); clearRequests().
 * Scripting (each returns a function that removes the script):
 * - scriptPods(name, behaviour, namespace?, { jobs? }): pods of the Jobs whose name matches (a
 *   string with `*` or a RegExp) get { kind: 'imagePullError' | 'oomKilled' | 'pendingForever' |
 *   'deadlineExceeded' | 'simulate' | 'run' } (pod-behaviour.ts); `jobs: n`: only those of the
 *   first n Jobs it matches (a fault that strikes one trial, the next ones run).
 * - failRequests({ verb?, resource?, namespace?, name?, status?, reason?, message?, times?,
 *   delayMs? }): answers matching requests with that Status (403 gives the real Forbidden
 *   message); delayMs holds them first (without status: a slow API server).
 * - forbid(verb, resource, namespace?), conflictOnCreate(resource, name?, times = 1).
 * - dropWatches({ resource?, namespace?, afterEvents, times?, abrupt? }): watches end after N
 *   events (abrupt: the connection is reset instead).
 * - dropLogs({ namespace?, pod?, container?, afterLines, times?, abrupt? }): followed pod logs
 *   end after N lines while the container runs on. sinceTime counts in whole seconds, as on a
 *   cluster, so a client resuming from a line's timestamp gets that second's lines again.
 * - closeWatches(): the server ends every open watch now (as on an API server restart).
 * - setWatchWindow(events), compact(): shrink or drop the watch history (forces 410 Gone).
 * - registerResource(init): serve another custom resource.
 *
 * startFakeKubeProcess(options?) (fake-kube-process.ts) runs the same server in a child process
 * (options only, no scripting hooks), for benchmarks that measure their own memory.
 *
 * kubectl works against kubeconfigPath (get prints Tables: a CRD's printer columns, Job and Pod
 * columns; wait, logs, delete); run it asynchronously, the fake serves from the test's event loop.
 *
 * What it does not do: strategic merge patch is a merge patch (lists replaced, not merged by key);
 * server-side apply is create-or-merge-patch without field ownership; no admission webhooks, no
 * custom-resource schema validation; containers share the host's filesystem and network (emptyDir
 * mount paths are made as folders on the host); pagination continues over the current objects,
 * not a snapshot.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { KubeConfig } from '@kubernetes/client-node'
import { EventRecorder } from './event-recorder.ts'
import { Faults, type LogDrop, type NamePattern, type RequestFault, type Verb, type WatchDrop } from './faults.ts'
import { handleRequest, type RequestRecord } from './http-server.ts'
import { JobController } from './job-controller.ts'
import { KubeApi, type PropagationPolicy } from './kube-api.ts'
import { clone, type KubeObject } from './kube-object.ts'
import { Kubelet } from './kubelet.ts'
import { writeKubeconfig } from './kubeconfig.ts'
import { ObjectStore } from './object-store.ts'
import { PodScripts, type PodBehaviour } from './pod-behaviour.ts'
import { PodLogs } from './pod-logs.ts'
import { DEFAULT_CUSTOM_RESOURCES, ResourceRegistry, type ResourceType, type ResourceTypeInit } from './resource-types.ts'
import { servingCertificate } from './tls.ts'
import { TrainingOperator } from './training-operator.ts'

export type { KubeObject } from './kube-object.ts'
export type { PodBehaviour } from './pod-behaviour.ts'
export type { LogDrop, RequestFault, WatchDrop, Verb, NamePattern } from './faults.ts'
export type { RequestRecord } from './http-server.ts'
export type { ResourceType, ResourceTypeInit } from './resource-types.ts'

export interface FakeKubeOptions {
  namespace?: string
  namespaces?: string[]
  tls?: boolean
  stepDelayMs?: number
  podBackoffMs?: number
  watchWindow?: number
  goneAsHttpStatus?: boolean
  bookmarkIntervalMs?: number
  entrypoints?: Record<string, string[]>
  passEnv?: string[]
  maxGracePeriodMs?: number
  restartBackoffMs?: number
  customResources?: ResourceTypeInit[]
  defaultPodBehaviour?: PodBehaviour
  events?: boolean
  /** What GET /version says (default 1.32): an older cluster for the checks that depend on it. */
  serverVersion?: { major: string; minor: string }
}

export interface FakeKube {
  readonly url: string
  readonly kubeconfigPath: string
  readonly namespace: string
  readonly token: string
  kubeConfig(): KubeConfig
  object(resource: string, namespace: string | undefined, name: string): KubeObject | undefined
  objects(resource: string, namespace?: string): KubeObject[]
  create(object: KubeObject, namespace?: string): KubeObject
  setStatus(resource: string, namespace: string | undefined, name: string, status: unknown): KubeObject
  remove(resource: string, namespace: string | undefined, name: string, propagationPolicy?: PropagationPolicy): void
  podsOf(namespace: string, jobName: string): KubeObject[]
  podLog(namespace: string, pod: string, container?: string): string
  runningPids(): number[]
  waitFor(resource: string, namespace: string | undefined, name: string, predicate: (object: KubeObject | undefined) => boolean, timeoutMs?: number): Promise<KubeObject | undefined>
  readonly requests: RequestRecord[]
  clearRequests(): void
  readonly resourceVersion: number
  scriptPods(name: NamePattern, behaviour: PodBehaviour, namespace?: string, options?: { jobs?: number }): () => void
  setDefaultPodBehaviour(behaviour: PodBehaviour): void
  failRequests(fault: RequestFault): () => void
  forbid(verb: Verb, resource: string, namespace?: string): () => void
  conflictOnCreate(resource: string, name?: NamePattern, times?: number): () => void
  dropWatches(drop: WatchDrop): () => void
  closeWatches(): void
  dropLogs(drop: LogDrop): () => void
  setWatchWindow(events: number): void
  compact(): void
  registerResource(init: ResourceTypeInit): ResourceType
  close(): Promise<void>
}

export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKube> {
  const namespace = options.namespace ?? 'tunewell-test'
  const tls = options.tls ?? true
  const dir = mkdtempSync(join(tmpdir(), 'fake-kube-'))
  const token = randomBytes(16).toString('hex')
  const registry = new ResourceRegistry([...DEFAULT_CUSTOM_RESOURCES, ...(options.customResources ?? [])])
  const store = new ObjectStore(options.watchWindow ?? 10_000)
  const api = new KubeApi(store, registry)
  const logs = new PodLogs()
  const faults = new Faults()
  const scripts = new PodScripts()
  if (options.defaultPodBehaviour) scripts.defaultBehaviour = options.defaultPodBehaviour
  const requests: RequestRecord[] = []
  const openWatches = new Set<() => void>()
  const watchBehaviour = { goneAsHttpStatus: options.goneAsHttpStatus ?? false, bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000 }

  for (const ns of new Set(['default', 'kube-system', namespace, ...(options.namespaces ?? [])])) {
    api.create(registry.lookup('namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
  }

  const handler = (req: Parameters<typeof handleRequest>[1], res: Parameters<typeof handleRequest>[2]) =>
    handleRequest({ api, faults, logs, token, watchBehaviour: () => watchBehaviour, record: (r) => requests.push(r), openWatches, serverVersion: options.serverVersion ?? { major: '1', minor: '32' } }, req, res)
  const certificate = tls ? servingCertificate() : undefined
  const server: Server = certificate ? createHttpsServer({ cert: certificate.cert, key: certificate.key }, handler) : createHttpServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`

  const events = new EventRecorder(api)
  events.enabled = options.events ?? true
  const kubelet = new Kubelet(api, logs, scripts, {
    stepDelayMs: options.stepDelayMs ?? 10,
    passEnv: options.passEnv ?? ['PATH', 'HOME', 'LANG', 'TMPDIR'],
    entrypoints: options.entrypoints ?? {},
    maxGracePeriodMs: options.maxGracePeriodMs ?? 2000,
    restartBackoffMs: options.restartBackoffMs ?? 100,
    workDir: join(dir, 'pods'),
    serviceHost: '127.0.0.1',
    servicePort: String(port),
  }, events)
  const jobController = new JobController(api, scripts, { podBackoffMs: options.podBackoffMs ?? 100 }, events)
  const trainingOperator = new TrainingOperator(api)
  const kubeconfigPath = writeKubeconfig(dir, { server: url, caPem: certificate?.cert, token, namespace, context: 'fake-kube' })

  const find = (resource: string, ns: string | undefined, name: string) => store.get(registry.lookup(resource), ns, name)

  const fake: FakeKube = {
    url,
    kubeconfigPath,
    namespace,
    token,
    requests,
    get resourceVersion() {
      return store.resourceVersion
    },
    kubeConfig() {
      const kc = new KubeConfig()
      kc.loadFromFile(kubeconfigPath)
      return kc
    },
    object(resource, ns, name) {
      const found = find(resource, ns, name)
      return found ? clone(found) : undefined
    },
    objects(resource, ns) {
      return store.list(registry.lookup(resource), ns).map((o) => clone(o))
    },
    create(object, ns) {
      const type = registry.byKind(object.apiVersion ?? '', object.kind ?? '')
      if (!type) throw new Error(`fake-kube: no resource for ${object.apiVersion} ${object.kind}`)
      return api.create(type, type.namespaced ? (ns ?? object.metadata.namespace ?? namespace) : undefined, object)
    },
    setStatus(resource, ns, name, status) {
      const type = registry.lookup(resource)
      const current = store.get(type, ns, name)
      if (!current) throw new Error(`fake-kube: no ${resource} ${ns}/${name}`)
      const next = clone(current)
      next.status = clone(status)
      return clone(store.update(type, next))
    },
    remove(resource, ns, name, propagationPolicy = 'Background') {
      api.delete(registry.lookup(resource), ns, name, { propagationPolicy })
    },
    podsOf(ns, jobName) {
      return store
        .list(registry.lookup('pods'), ns)
        .filter((p) => p.metadata.labels?.['job-name'] === jobName)
        .map((p) => clone(p))
    },
    podLog(ns, podName, container) {
      const pod = find('pods', ns, podName)
      if (!pod) throw new Error(`fake-kube: no pod ${ns}/${podName}`)
      return logs.text(pod.metadata.uid!, container ?? pod.spec?.containers?.[0]?.name)
    },
    runningPids: () => kubelet.runningPids(),
    waitFor(resource, ns, name, predicate, timeoutMs = 30_000) {
      const type = registry.lookup(resource)
      return new Promise((resolve, reject) => {
        const check = () => {
          const current = store.get(type, ns, name)
          if (!predicate(current ? clone(current) : undefined)) return false
          clearTimeout(timer)
          unsubscribe()
          resolve(current ? clone(current) : undefined)
          return true
        }
        const unsubscribe = store.subscribe((event) => {
          if (event.resource === type) check()
        })
        const timer = setTimeout(() => {
          unsubscribe()
          reject(new Error(`fake-kube: ${resource} ${ns}/${name} did not reach the expected state in ${timeoutMs} ms: ${JSON.stringify(store.get(type, ns, name)?.status)}`))
        }, timeoutMs)
        check()
      })
    },
    clearRequests() {
      requests.length = 0
    },
    scriptPods: (name, behaviour, ns, o) => scripts.add({ name, behaviour, namespace: ns, ...(o?.jobs === undefined ? {} : { jobs: o.jobs }) }),
    setDefaultPodBehaviour(behaviour) {
      scripts.defaultBehaviour = behaviour
    },
    failRequests: (fault) => faults.addRequestFault(fault),
    forbid: (verb, resource, ns) => faults.addRequestFault({ verb, resource, namespace: ns, status: 403 }),
    conflictOnCreate: (resource, name, times = 1) => faults.addRequestFault({ verb: 'create', resource, name, status: 409, reason: 'AlreadyExists', times }),
    dropWatches: (drop) => faults.addWatchDrop(drop),
    dropLogs: (drop) => faults.addLogDrop(drop),
    closeWatches() {
      for (const stop of [...openWatches]) stop()
      openWatches.clear()
    },
    setWatchWindow: (events) => store.setWindow(events),
    compact: () => store.compact(),
    registerResource: (init) => registry.register(init),
    async close() {
      jobController.close()
      trainingOperator.close()
      await kubelet.close()
      for (const stop of [...openWatches]) stop()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return fake
}
