import { dirname, posix } from 'node:path'
import { metricNames, type Experiment } from '../../core/spec/index.ts'
import { metricsEndpoint, scrapeIntervalMs, DEFAULT_SCRAPE_INTERVAL_MS } from '../metrics-port.ts'
import { LaunchError } from '../trial-executor.ts'
import { podTemplates } from './pod-templates.ts'
import { isJsonObject as isObject, type JsonObject as Json } from './walk-objects.ts'

/** The collector kinds that run as Tunewell's sidecar beside the trial (`tunewell collect`); a Custom collector is the user's own container (custom-collector-sidecar.ts). */
export const SIDECAR_COLLECTOR_KINDS: readonly string[] = ['File', 'TensorFlowEvent', 'PrometheusMetric']
export const COLLECTOR_CONTAINER = 'tunewell-collector'
export const METRICS_VOLUME = 'tunewell-metrics'
/** The PrometheusMetric collector's own emptyDir (its ready file and its step numbering), mounted in the sidecar only. */
export const COLLECTOR_STATE_VOLUME = 'tunewell-collector-state'
export const COLLECTOR_STATE_DIR = '/var/run/tunewell-collector'
/** The collector writes it once it handles SIGTERM; its startup probe waits for it before the trial's containers start. */
export const READY_FILE_NAME = '.tunewell-collector-ready'
const SCRAPE_STATE_FILE_NAME = 'scrape-state.json'

/**
 * What the sidecar reads. File and TensorFlowEvent: the path, and the folder the sidecar shares
 * with the trial (Katib: the file's folder, or the event folder itself). PrometheusMetric: the
 * trial's endpoint on the pod's own network (the sidecar shares it, so 127.0.0.1 is the trial's
 * address), and a folder of the sidecar's own.
 */
export type SidecarSource =
  | { readonly kind: 'File' | 'TensorFlowEvent'; readonly path: string; readonly mountPath: string; readonly shared: true }
  | { readonly kind: 'PrometheusMetric'; readonly url: string; readonly intervalMs: number; readonly mountPath: string; readonly shared: false }

export function sidecarSource(experiment: Experiment): SidecarSource | undefined {
  const spec = experiment.spec.metricsCollectorSpec
  const kind = spec?.collector?.kind
  if (kind === 'PrometheusMetric') {
    const endpoint = metricsEndpoint(experiment)!
    const httpGet = spec?.source?.httpGet ?? {}
    const scheme = String(httpGet.scheme ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http'
    // A probe's host defaults to the pod's IP; from inside the pod, loopback reaches the trial's port as well.
    const host = httpGet.host ? (httpGet.host.includes(':') ? `[${httpGet.host}]` : httpGet.host) : '127.0.0.1'
    const interval = scrapeIntervalMs(experiment)
    return {
      kind,
      url: `${scheme}://${host}:${endpoint.port}${endpoint.path}`,
      intervalMs: typeof interval === 'number' ? interval : DEFAULT_SCRAPE_INTERVAL_MS,
      mountPath: COLLECTOR_STATE_DIR,
      shared: false,
    }
  }
  if (kind !== 'File' && kind !== 'TensorFlowEvent') return undefined
  const path = spec?.source?.fileSystemPath?.path ?? ''
  return { kind, path, mountPath: metricsMountPath(kind, path), shared: true }
}

/** The folder Katib mounts for a metrics path: a file's folder, or the folder itself. Validation asks for absolute paths when the trial is a trialSpec (validate-metrics-collector.ts). */
export function metricsMountPath(kind: 'File' | 'TensorFlowEvent' | 'Directory', path: string): string {
  return kind === 'File' ? dirname(path) : posix.normalize(path).replace(/(.)\/+$/, '$1')
}

/**
 * `tunewell collect ...` for the experiment's collector: what the sidecar is told to read and
 * how; `firstStep` where its counted steps start (TrialRequest.firstStep).
 */
export function collectorArgs(experiment: Experiment, firstStep = 0): string[] {
  const source = sidecarSource(experiment)
  if (!source) return []
  const args = ['collect']
  if (source.kind === 'PrometheusMetric') {
    args.push('--scrape-url', source.url, '--poll-ms', String(source.intervalMs), '--progress-file', posix.join(source.mountPath, SCRAPE_STATE_FILE_NAME))
  } else if (source.kind === 'File') {
    const spec = experiment.spec.metricsCollectorSpec?.source
    args.push('--metrics-file', source.path, '--format', spec?.fileSystemPath?.format ?? 'TEXT')
    for (const filter of spec?.filter?.metricsFormat ?? []) args.push('--filter', filter)
  } else {
    args.push('--tfevent-dir', source.path)
  }
  for (const name of metricNames(experiment)) args.push('--metric', name)
  // Event files carry their own steps.
  if (firstStep > 0 && source.kind !== 'TensorFlowEvent') args.push('--first-step', String(firstStep))
  args.push('--ready-file', posix.join(source.mountPath, READY_FILE_NAME))
  return args
}

export interface SidecarOptions {
  readonly image: string
  /** The sidecar's environment: where to push, and the token (a secretKeyRef, never its value). */
  readonly env: readonly Json[]
  /** Where its counted steps start (TrialRequest.firstStep); default 0. */
  readonly firstStep?: number
}

/**
 * Puts the collector beside the trial's primary container in every pod template that has one
 * (of a Kubeflow job with a Master or Chief replica, that replica's only):
 * a native sidecar (an init container with restartPolicy Always, Kubernetes 1.29 and later),
 * which starts before the trial's containers (once its startup probe says it handles SIGTERM),
 * runs beside them, and gets SIGTERM once they ended, so the pod and its Job complete. File and
 * TensorFlowEvent: both mount one emptyDir at the metrics folder (or the volume the primary
 * container already mounts there). PrometheusMetric: the sidecar has an emptyDir of its own and
 * scrapes the trial over the pod's network. Throws a LaunchError for a kind whose pods are built
 * from no pod template here (a TrainJob's trainer, Argo and Tekton steps).
 */
export function injectCollector(manifest: Json, experiment: Experiment, primary: readonly Json[], options: SidecarOptions): void {
  const source = sidecarSource(experiment)
  if (!source) return
  for (const template of collectorTemplates(manifest, primary, source.kind)) {
    const spec = template.spec as Json
    const mains = containersOf(template).filter((c) => primary.includes(c))
    let volume = COLLECTOR_STATE_VOLUME
    if (source.shared) {
      volume = shareVolume(template, mains, source.mountPath)
    } else {
      const volumes = Array.isArray(spec.volumes) ? (spec.volumes as Json[]) : []
      spec.volumes = [...volumes.filter((v) => v.name !== COLLECTOR_STATE_VOLUME), { name: COLLECTOR_STATE_VOLUME, emptyDir: {} }]
    }
    const sidecar: Json = {
      name: COLLECTOR_CONTAINER,
      image: options.image,
      restartPolicy: 'Always',
      args: collectorArgs(experiment, options.firstStep),
      env: [...options.env],
      volumeMounts: [{ name: volume, mountPath: source.mountPath }],
      startupProbe: {
        exec: { command: ['test', '-e', posix.join(source.mountPath, READY_FILE_NAME)] },
        periodSeconds: 1,
        failureThreshold: 60,
      },
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    }
    const inits = Array.isArray(spec.initContainers) ? (spec.initContainers as Json[]) : []
    spec.initContainers = [...inits.filter((c) => c.name !== COLLECTOR_CONTAINER), sidecar]
  }
}

/**
 * The pod templates that get the collector: those with the primary container (of a Kubeflow job
 * with a Master or Chief replica, that replica's only). A LaunchError when there is none.
 */
export function collectorTemplates(manifest: Json, primary: readonly Json[], kind: string): Json[] {
  const templates = primaryTemplates(manifest, podTemplates(manifest).filter((t) => containersOf(t).some((c) => primary.includes(c))))
  if (templates.length === 0) {
    throw new LaunchError(`collector kind ${kind} runs as a sidecar in the trial's pod template, and this ${String(manifest.kind)} has none with the primary container; use StdOut or Push`)
  }
  return templates
}

/**
 * One emptyDir at `mountPath` for the primary containers of `template` and a collector: the
 * volume a primary container already mounts there, else `tunewell-metrics`, added and mounted.
 * Returns the volume's name, for the collector's mount.
 */
export function shareVolume(template: Json, mains: readonly Json[], mountPath: string): string {
  const spec = template.spec as Json
  const existing = mains.flatMap((c) => (Array.isArray(c.volumeMounts) ? (c.volumeMounts as Json[]) : [])).find((m) => isObject(m) && trimmed(String(m.mountPath)) === mountPath)
  if (existing) return String(existing.name)
  const volumes = Array.isArray(spec.volumes) ? (spec.volumes as Json[]) : []
  spec.volumes = [...volumes.filter((v) => v.name !== METRICS_VOLUME), { name: METRICS_VOLUME, emptyDir: {} }]
  for (const container of mains) {
    const mounts = Array.isArray(container.volumeMounts) ? (container.volumeMounts as Json[]) : []
    container.volumeMounts = [...mounts, { name: METRICS_VOLUME, mountPath }]
  }
  return METRICS_VOLUME
}

/** The replicas whose pod the training operator labels `job-role: master` (Katib's default primaryPodLabels for its kinds). */
const MASTER_REPLICAS = new Set(['master', 'chief'])

/**
 * Katib collects from the primary pod only. A Kubeflow job's replicas are told apart by their
 * key in `*ReplicaSpecs`: when it has a Master or Chief replica with the primary container, only
 * that replica's pods get the collector (its workers' files are not the trial's metrics); else
 * every pod template with the primary container does (a Job's one, a TFJob of workers only).
 */
function primaryTemplates(manifest: Json, candidates: Json[]): Json[] {
  const spec = isObject(manifest.spec) ? manifest.spec : {}
  for (const [key, replicas] of Object.entries(spec)) {
    if (!key.endsWith('ReplicaSpecs') || !isObject(replicas)) continue
    const masters = Object.entries(replicas)
      .filter(([role, replica]) => MASTER_REPLICAS.has(role.toLowerCase()) && isObject(replica) && candidates.includes(replica.template as Json))
      .map(([, replica]) => (replica as Json).template as Json)
    if (masters.length > 0) return masters
  }
  return candidates
}

export function containersOf(template: Json): Json[] {
  const spec = isObject(template.spec) ? template.spec : {}
  return Array.isArray(spec.containers) ? (spec.containers as unknown[]).filter(isObject) : []
}

function trimmed(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path
}
