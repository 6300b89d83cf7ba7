import { Log, Watch, type KubeConfig } from '@kubernetes/client-node'
import type { Experiment } from '../../core/spec/index.ts'
import {
  LaunchError, type LaunchContext, type LineListener, type ManagedWorkload, type PreparedTrial, type RunningTrial, type StoredTrial, type TrialExecutor,
  type TrialRequest, type WorkloadInventory,
} from '../trial-executor.ts'
import { dirname, join } from 'node:path'
import { TrialLogFile, trialLogPath } from '../trial-log-file.ts'
import { collectorIssue, sidecarVersionIssues } from './check-kubernetes.ts'
import { kubeErrorMessage, statusCodeOf } from './kube-error.ts'
import { retrying } from './retrying.ts'
import { isKubernetesHandle, type KubernetesHandle } from './kubernetes-handle.ts'
import { renderWorkload, type RenderedWorkload, type WorkloadOwner } from './render-workload.ts'
import { SharedWatch } from './shared-watch.ts'
import { TrialSecretApi } from './trial-secret-api.ts'
import { TrialWorkload, type TrialWorkloadDeps } from './trial-workload.ts'
import { UnknownKindError, WorkloadApi, type Json } from './workload-api.ts'
import { EXPERIMENT_ID_LABEL, MANAGED_SELECTOR, TRIAL_LABEL } from './workload-labels.ts'
import { keepConnectionsAlive } from './kept-alive-agents.ts'

export interface KubernetesExecutorOptions {
  /** Where the cluster is and who we are there (loadFromDefault: in-cluster, KUBECONFIG, ~/.kube/config). */
  readonly kubeConfig: KubeConfig
  /** The namespace of experiments that name none; default: the kubeconfig context's, else `default`. */
  readonly defaultNamespace?: string
  /** Operator mode: the Experiment resource that owns each trial's workload (deleting it deletes them). */
  readonly ownerOf?: (experiment: Experiment) => WorkloadOwner | undefined
  /** Delay before retrying a failed API call or a dropped watch or log stream (default 1 s). */
  readonly retryMs?: number
  /** Once a container ended, how long its log stream gets to end by itself before the log is read once more (default 2 s). */
  readonly drainMs?: number
  /** How long a finished trial's logs get to arrive in full (default 30 s). */
  readonly logWaitMs?: number
  /** How long an earlier attempt's workload that is being deleted may take to go (default 60 s). */
  readonly deletionWaitMs?: number
  /** The File, TensorFlowEvent and PrometheusMetric collector sidecar's image (`--collector-image`); default the Tunewell image of this version. */
  readonly collectorImage?: string
  /** The API server's /version (major, minor): a cluster without native sidecars refuses those collectors' trials. */
  readonly serverVersion?: { readonly major?: string; readonly minor?: string }
}

/**
 * Trials as workloads on a Kubernetes cluster (a batch/v1 Job, or any kind a trialSpec names:
 * TFJob, PyTorchJob, TrainJob, an Argo Workflow, a Tekton PipelineRun, ...), behind the same
 * interface as local processes. See docs/kubernetes.md for the design: deterministic names and
 * adoption on 409, one shared list + watch per kind and namespace (and one for pods), the
 * primary container's log streamed into the StdOut collector, success and failure from Katib's
 * conditions (core/conditions/).
 */
export class KubernetesExecutor implements TrialExecutor {
  readonly kind = 'kubernetes'
  readonly checkpointsOnThisMachine = false
  readonly #options: KubernetesExecutorOptions
  readonly #api: WorkloadApi
  readonly #watch: Watch
  readonly #log: Log
  readonly #secrets: TrialSecretApi
  readonly #watches = new Map<string, SharedWatch>()
  readonly #running = new Map<TrialWorkload, TrialLogs>()
  /** The orphan sweep's view of the workloads (controller/orphan-sweep.ts). */
  readonly inventory: WorkloadInventory = {
    list: (experiments) => this.#listManaged(experiments),
    remove: (workload) => this.#removeManaged(workload),
  }

  constructor(options: KubernetesExecutorOptions) {
    this.#options = options
    keepConnectionsAlive(options.kubeConfig)
    this.#api = new WorkloadApi(options.kubeConfig)
    this.#watch = new Watch(options.kubeConfig)
    this.#log = new Log(options.kubeConfig)
    this.#secrets = new TrialSecretApi(options.kubeConfig, options.retryMs ?? 1000)
  }

  /** The namespace trials go to when their Experiment names none. */
  get defaultNamespace(): string {
    const kc = this.#options.kubeConfig
    return this.#options.defaultNamespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default'
  }

  async prepare(request: TrialRequest): Promise<PreparedTrial> {
    const workload = await this.#render(request)
    return { start: async (onLine) => this.#start(workload, request, onLine) }
  }

  /**
   * Re-attaches to the workload a previous controller started for this trial, as its stored
   * handle names it: that very object (its uid), not being deleted, and still what the trial's
   * template renders to (kind, namespace, name). It is followed again through the shared watches,
   * its primary pods' logs read from their start; one that finished meanwhile ends at once with
   * how it finished. Undefined when there is nothing of it to follow (gone, replaced, being
   * deleted, or the cluster does not answer): the runner stops the orphan and relaunches the
   * trial, and the relaunch adopts a workload still there (a 409 on create).
   */
  async attach(trial: StoredTrial, request: TrialRequest): Promise<PreparedTrial | undefined> {
    const handle = trial.execution
    if (!isKubernetesHandle(handle) || !handle.uid) return undefined
    let workload: RenderedWorkload
    try {
      workload = await this.#render(request)
    } catch {
      return undefined
    }
    if (workload.apiVersion !== handle.apiVersion || workload.kind !== handle.workloadKind || workload.namespace !== handle.namespace || workload.name !== handle.name) return undefined
    let current: Json | undefined
    try {
      current = await retrying(() => this.#api.read({ apiVersion: handle.apiVersion, kind: handle.workloadKind, namespace: handle.namespace, name: handle.name }), this.#options.retryMs ?? 1000)
    } catch {
      return undefined
    }
    if (current?.metadata?.uid !== handle.uid || current.metadata?.deletionTimestamp) return undefined
    return {
      start: async (onLine) => {
        const logs = await this.#logFiles(request, workload, onLine)
        return this.#track(TrialWorkload.attach(workload, this.#deps(workload), logs.primary, handle.uid, logs.collector), logs)
      },
    }
  }

  /**
   * Deletes the workload a previous controller started for this trial, as its stored handle
   * names it: only that very object (its uid), with its pods. Resolves whether it was there.
   * A trial whose handle never reached its row has a workload of its name at most; the
   * relaunch adopts it (a 409 on create), so it is not lost either.
   */
  async stopOrphan(trial: StoredTrial, _context: LaunchContext): Promise<boolean> {
    const handle = trial.execution
    if (!isKubernetesHandle(handle)) return false
    try {
      return await this.#api.delete({ apiVersion: handle.apiVersion, kind: handle.workloadKind, namespace: handle.namespace, name: handle.name }, handle.uid || undefined)
    } catch {
      // Unreachable or refused: the relaunch meets it on create (409) and adopts it.
      return false
    }
  }

  /**
   * Ends the watches and the log streams, for a controller that shuts down: the workloads stay
   * on the cluster (a restarted controller finds them) and the `done` of a trial still running
   * never resolves, so call it once the runner is finished with them.
   */
  close(): void {
    for (const [trial, logs] of this.#running) {
      trial.detach()
      void logs.end()
    }
    this.#running.clear()
    for (const watch of this.#watches.values()) watch.stop()
    this.#watches.clear()
  }

  async #render(request: TrialRequest): Promise<RenderedWorkload> {
    const { experiment } = request
    const collector = collectorIssue(experiment) ?? sidecarVersionIssues(experiment, this.#options.serverVersion)[0]?.message
    if (collector) throw new LaunchError(collector)
    const configMapTemplate = await this.#configMapTemplate(experiment)
    const owner = this.#options.ownerOf?.(experiment)
    const workload = renderWorkload(experiment, request.trial, {
      defaultNamespace: this.defaultNamespace,
      env: request.context.env,
      ...(configMapTemplate !== undefined ? { configMapTemplate } : {}),
      ...(owner ? { owner } : {}),
      ...(this.#options.collectorImage ? { collectorImage: this.#options.collectorImage } : {}),
      ...(request.firstStep ? { firstStep: request.firstStep } : {}),
    })
    // Only on the workload: its pods go with it, and the sweep lists workloads.
    const { experimentId } = request.trial
    if (experimentId !== undefined) {
      const metadata = workload.manifest.metadata as { labels?: Record<string, string> }
      metadata.labels = { ...metadata.labels, [EXPERIMENT_ID_LABEL]: experimentId }
    }
    return workload
  }

  /**
   * Where the trials of `experiments` go, as (apiVersion, kind, namespace): from their inline
   * trialSpec, plus every kind and namespace this executor has followed workloads in (a
   * configMap template's kind is known once read). One label-selected list each.
   */
  async #listManaged(experiments: readonly Experiment[]): Promise<ManagedWorkload[]> {
    const scopes = new Map<string, { apiVersion: string; kind: string; namespace: string }>()
    const add = (apiVersion: unknown, kind: unknown, namespace: string) => {
      if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) return
      if (apiVersion === 'v1' && kind === 'Pod') return
      scopes.set(`${apiVersion}/${kind}/${namespace}`, { apiVersion, kind, namespace })
    }
    for (const experiment of experiments) {
      const spec = experiment.spec.trialTemplate?.trialSpec as { apiVersion?: unknown; kind?: unknown } | undefined
      if (spec) add(spec.apiVersion, spec.kind, experiment.metadata.namespace ?? this.defaultNamespace)
    }
    for (const id of this.#watches.keys()) {
      const parts = id.split('/')
      // `group/version/Kind/namespace`, or `version/Kind/namespace` for the core group.
      if (parts.length === 4) add(`${parts[0]}/${parts[1]}`, parts[2], parts[3]!)
      else if (parts.length === 3) add(parts[0], parts[1], parts[2]!)
    }
    const found: ManagedWorkload[] = []
    for (const { apiVersion, kind, namespace } of scopes.values()) {
      let items
      try {
        items = (await this.#api.list(apiVersion, kind, namespace, `${MANAGED_SELECTOR},${EXPERIMENT_ID_LABEL}`)).items
      } catch (error) {
        // A kind no longer served, a namespace gone, no right to list there: nothing of ours to find.
        if (error instanceof UnknownKindError || statusCodeOf(error) === 403 || statusCodeOf(error) === 404) continue
        throw error
      }
      for (const item of items) {
        const labels = (item.metadata?.labels ?? {}) as Record<string, string>
        const experimentId = labels[EXPERIMENT_ID_LABEL]
        const trialName = labels[TRIAL_LABEL]
        const name = String(item.metadata?.name ?? '')
        if (!experimentId || !trialName || item.metadata?.deletionTimestamp) continue
        const handle = { kind: 'kubernetes', apiVersion, workloadKind: kind, namespace, name, uid: String(item.metadata?.uid ?? '') }
        found.push({ experimentId, trialName, handle, description: `${kind} ${namespace}/${name}` })
      }
    }
    return found
  }

  async #removeManaged(workload: ManagedWorkload): Promise<boolean> {
    const handle = workload.handle
    if (!isKubernetesHandle(handle)) return false
    return this.#api.delete({ apiVersion: handle.apiVersion, kind: handle.workloadKind, namespace: handle.namespace, name: handle.name }, handle.uid || undefined)
  }

  async #start(workload: RenderedWorkload, request: TrialRequest, onLine: LineListener): Promise<RunningTrial> {
    const { secret } = workload
    if (secret) {
      // Before the workload: its pods read the token when their containers start.
      try {
        await this.#secrets.ensure(secret, workload.name)
      } catch (error) {
        const message = `cannot create the trial's Secret ${workload.namespace}/${String((secret.metadata as Json).name)}: ${kubeErrorMessage(error)}`
        const handle = { kind: 'kubernetes', apiVersion: workload.apiVersion, workloadKind: workload.kind, namespace: workload.namespace, name: workload.name, uid: '' }
        return { handle, done: Promise.resolve({ phase: 'failed', reason: 'SecretRefused', message }), stop: () => {} }
      }
    }
    const logs = await this.#logFiles(request, workload, onLine)
    const trial = await TrialWorkload.start(workload, this.#deps(workload), logs.primary, logs.collector)
    if (secret) {
      const uid = trial.handle.uid
      if (uid) await this.#secrets.own(secret, { apiVersion: workload.apiVersion, kind: workload.kind, name: workload.name, uid })
      else await this.#secrets.delete(secret)
    }
    return this.#track(trial, logs)
  }

  /**
   * The trial's output.log in the controller's folder, as local trials have theirs, so `tunewell
   * logs` and the dashboard show a cluster trial's output where the controller runs beside the
   * API. Truncated: a re-attached trial's log is read again from its start. The primary
   * container's lines go there and to the collector (`onLine`, the StdOut collector's input);
   * with a Custom collector, its container's lines are the collector's input instead, kept in
   * collector.log beside output.log, as a local Custom collector's output is.
   */
  async #logFiles(request: TrialRequest, workload: RenderedWorkload, onLine: LineListener): Promise<TrialLogs> {
    const outputPath = trialLogPath(request.context.runDir, request.trial.name)
    const output = await TrialLogFile.open(outputPath)
    if (workload.collectorContainerName === undefined) {
      return { primary: copiedTo(output, onLine), end: () => output.end() }
    }
    const collectorLog = await TrialLogFile.open(join(dirname(outputPath), 'collector.log'))
    return {
      primary: (line) => output.write(line),
      collector: copiedTo(collectorLog, onLine),
      end: async () => {
        await Promise.all([output.end(), collectorLog.end()])
      },
    }
  }

  /** Follows the trial until it ends; its `done` resolves once its log files hold every line. */
  #track(trial: TrialWorkload, logs: TrialLogs): RunningTrial {
    this.#running.set(trial, logs)
    const done = trial.done.then(async (result) => {
      this.#running.delete(trial)
      await logs.end()
      return result
    })
    return { handle: trial.handle, done, stop: (reason) => trial.stop(reason), detach: () => trial.detach(true) }
  }

  #deps(workload: RenderedWorkload): TrialWorkloadDeps {
    return {
      api: this.#api,
      log: this.#log,
      workloads: this.#sharedWatch(workload.apiVersion, workload.kind, workload.namespace, (o) => o.metadata?.name),
      pods: this.#sharedWatch('v1', 'Pod', workload.namespace, (o) => o.metadata?.labels?.[TRIAL_LABEL]),
      retryMs: this.#options.retryMs ?? 1000,
      drainMs: this.#options.drainMs ?? 2000,
      logWaitMs: this.#options.logWaitMs ?? 30_000,
      deletionWaitMs: this.#options.deletionWaitMs ?? 60_000,
    }
  }

  #sharedWatch(apiVersion: string, kind: string, namespace: string, keyOf: (object: Json) => string | undefined): SharedWatch {
    const id = `${apiVersion}/${kind}/${namespace}`
    let watch = this.#watches.get(id)
    if (!watch) {
      const created: SharedWatch = new SharedWatch(
        {
          list: () => this.#api.list(apiVersion, kind, namespace, MANAGED_SELECTOR),
          path: () => this.#api.collectionPath(apiVersion, kind, namespace),
          labelSelector: MANAGED_SELECTOR,
        },
        this.#watch,
        { keyOf, retryMs: this.#options.retryMs ?? 1000, onIdle: () => this.#watches.get(id) === created && this.#watches.delete(id) },
      )
      watch = created
      this.#watches.set(id, watch)
    }
    return watch
  }

  /** The configMap trialTemplate source's text, read from the cluster; undefined for an inline trialSpec. */
  async #configMapTemplate(experiment: Experiment): Promise<string | undefined> {
    const source = experiment.spec.trialTemplate?.configMap
    if (!source || experiment.spec.trialTemplate?.trialSpec) return undefined
    const { configMapNamespace, configMapName, templatePath } = source
    let text: string | undefined
    try {
      text = await retrying(() => this.#api.configMapEntry(configMapNamespace, configMapName, templatePath), this.#options.retryMs ?? 1000)
    } catch (error) {
      throw new LaunchError(`cannot read the trial template from ConfigMap ${configMapNamespace}/${configMapName}: ${kubeErrorMessage(error)}`)
    }
    if (text === undefined) throw new LaunchError(`ConfigMap ${configMapNamespace}/${configMapName} or its key "${templatePath}" (the trial template) does not exist`)
    return text
  }
}

/** Where a trial's log lines go: the primary container's, and a Custom collector container's. */
interface TrialLogs {
  readonly primary: LineListener
  readonly collector?: LineListener
  end(): Promise<void>
}

/** Each line to the trial's log file as well as to the collector. */
function copiedTo(log: TrialLogFile, onLine: LineListener): LineListener {
  return (line) => {
    log.write(line)
    onLine(line)
  }
}
