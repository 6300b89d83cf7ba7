import { dirname, posix } from 'node:path'
import { metricNames, type Experiment } from '../../core/spec/index.ts'
import { LaunchError } from '../trial-executor.ts'
import { podTemplates } from './pod-templates.ts'
import { isJsonObject as isObject, type JsonObject as Json } from './walk-objects.ts'

/** The collector kinds that run as a sidecar beside the trial (`tunewell collect`). */
export const SIDECAR_COLLECTOR_KINDS: readonly string[] = ['File', 'TensorFlowEvent']
export const COLLECTOR_CONTAINER = 'tunewell-collector'
export const METRICS_VOLUME = 'tunewell-metrics'
/** The collector writes it once it handles SIGTERM; its startup probe waits for it before the trial's containers start. */
export const READY_FILE_NAME = '.tunewell-collector-ready'

/** Where the File or TensorFlowEvent collector reads, and the folder the sidecar shares with the trial (Katib: the file's folder, or the event folder itself). */
export function sidecarSource(experiment: Experiment): { kind: 'File' | 'TensorFlowEvent'; path: string; mountPath: string } | undefined {
  const spec = experiment.spec.metricsCollectorSpec
  const kind = spec?.collector?.kind
  if (kind !== 'File' && kind !== 'TensorFlowEvent') return undefined
  const path = spec?.source?.fileSystemPath?.path ?? ''
  // Validation asks for absolute paths when the trial is a trialSpec (validate-metrics-collector.ts).
  const mountPath = kind === 'File' ? dirname(path) : posix.normalize(path).replace(/(.)\/+$/, '$1')
  return { kind, path, mountPath }
}

/** `tunewell collect ...` for the experiment's collector: what the sidecar is told to read and how. */
export function collectorArgs(experiment: Experiment): string[] {
  const source = sidecarSource(experiment)
  if (!source) return []
  const args = ['collect']
  if (source.kind === 'File') {
    const spec = experiment.spec.metricsCollectorSpec?.source
    args.push('--metrics-file', source.path, '--format', spec?.fileSystemPath?.format ?? 'TEXT')
    for (const filter of spec?.filter?.metricsFormat ?? []) args.push('--filter', filter)
  } else {
    args.push('--tfevent-dir', source.path)
  }
  for (const name of metricNames(experiment)) args.push('--metric', name)
  args.push('--ready-file', posix.join(source.mountPath, READY_FILE_NAME))
  return args
}

export interface SidecarOptions {
  readonly image: string
  /** The sidecar's environment: where to push, and the token (a secretKeyRef, never its value). */
  readonly env: readonly Json[]
}

/**
 * Puts the collector beside the trial's primary container in every pod template that has one
 * (of a Kubeflow job with a Master or Chief replica, that replica's only):
 * a native sidecar (an init container with restartPolicy Always, Kubernetes 1.29 and later),
 * which starts before the trial's containers (once its startup probe says it handles SIGTERM),
 * runs beside them, and gets SIGTERM once they ended, so the pod and its Job complete. Both
 * mount one emptyDir at the metrics folder (or the volume the primary container already mounts
 * there). Throws a LaunchError for a kind whose pods are built from no pod template here (a
 * TrainJob's trainer, Argo and Tekton steps).
 */
export function injectCollector(manifest: Json, experiment: Experiment, primary: readonly Json[], options: SidecarOptions): void {
  const source = sidecarSource(experiment)
  if (!source) return
  const templates = primaryTemplates(manifest, podTemplates(manifest).filter((t) => containersOf(t).some((c) => primary.includes(c))))
  if (templates.length === 0) {
    throw new LaunchError(`collector kind ${source.kind} runs as a sidecar in the trial's pod template, and this ${String(manifest.kind)} has none with the primary container; use StdOut or Push`)
  }
  for (const template of templates) {
    const spec = template.spec as Json
    const mains = containersOf(template).filter((c) => primary.includes(c))
    const existing = mains.flatMap((c) => (Array.isArray(c.volumeMounts) ? (c.volumeMounts as Json[]) : [])).find((m) => isObject(m) && trimmed(String(m.mountPath)) === source.mountPath)
    const volume = existing ? String(existing.name) : METRICS_VOLUME
    if (!existing) {
      const volumes = Array.isArray(spec.volumes) ? (spec.volumes as Json[]) : []
      spec.volumes = [...volumes.filter((v) => v.name !== METRICS_VOLUME), { name: METRICS_VOLUME, emptyDir: {} }]
      for (const container of mains) {
        const mounts = Array.isArray(container.volumeMounts) ? (container.volumeMounts as Json[]) : []
        container.volumeMounts = [...mounts, { name: METRICS_VOLUME, mountPath: source.mountPath }]
      }
    }
    const sidecar: Json = {
      name: COLLECTOR_CONTAINER,
      image: options.image,
      restartPolicy: 'Always',
      args: collectorArgs(experiment),
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

function containersOf(template: Json): Json[] {
  const spec = isObject(template.spec) ? template.spec : {}
  return Array.isArray(spec.containers) ? (spec.containers as unknown[]).filter(isObject) : []
}

function trimmed(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path
}
