import type { Experiment } from '../../core/spec/index.ts'
import { collectorTemplates, containersOf, metricsMountPath, shareVolume } from './collector-sidecar.ts'
import { isJsonObject as isObject, type JsonObject as Json } from './walk-objects.ts'

/** The name Katib's example gives its collector container; a customCollector without a name gets it here. */
export const DEFAULT_CUSTOM_COLLECTOR_NAME = 'custom-metrics-collector'

/** The container name a Custom collector runs under in the trial's pod. */
export function customCollectorName(experiment: Experiment): string {
  const container = experiment.spec.metricsCollectorSpec?.collector?.customCollector
  const name = isObject(container) && typeof container.name === 'string' && container.name !== '' ? container.name : undefined
  return name ?? DEFAULT_CUSTOM_COLLECTOR_NAME
}

/**
 * Why the experiment's Custom collector cannot run in a trial's pod, if it cannot: a container
 * there needs an image (the image's entrypoint runs, or the command given), and a name of its
 * own in the pod.
 */
export function customCollectorClusterIssue(experiment: Experiment): string | undefined {
  const spec = experiment.spec.metricsCollectorSpec
  if (spec?.collector?.kind !== 'Custom') return undefined
  const container = spec.collector.customCollector
  if (!isObject(container)) return 'collector kind Custom needs collector.customCollector, the collector\'s container'
  if (typeof container.image !== 'string' || container.image.trim() === '') {
    return 'collector.customCollector has no image; on a cluster the Custom collector is a container in the trial\'s pod, which needs one (e.g. image: registry.example/my-collector:1)'
  }
  const name = customCollectorName(experiment)
  if (name === experiment.spec.trialTemplate?.primaryContainerName) {
    return `collector.customCollector is named "${name}", as the trial's primary container is; give it a name of its own`
  }
  return undefined
}

export interface CustomSidecarOptions {
  /** Set in the collector's env, replacing entries of the same name: the trial's name, the metrics path, where and how to push. */
  readonly env: readonly Json[]
}

/**
 * Puts the user's Custom collector container beside the trial's primary container, in the pod
 * templates Tunewell's own collector would go to (collector-sidecar.ts), as Katib's pod webhook
 * puts it in the primary pod: as given, with the metrics volume and a shared process namespace
 * (a collector may watch the trial's process, as Katib's do). Unlike Katib, as a native sidecar
 * (an init container with restartPolicy Always): the kubelet starts it first, restarts it if it
 * fails while the trial runs, and sends it SIGTERM once the trial's containers ended, so the pod
 * completes even when the collector would tail its file forever (Katib waits for it to exit).
 * With `source.fileSystemPath`, one emptyDir at that folder (a File's folder, a Directory itself)
 * is mounted in the primary container and the collector, as Katib mounts it. Returns the
 * container's name. A LaunchError for a kind whose pods come from no pod template here.
 */
export function injectCustomCollector(manifest: Json, experiment: Experiment, primary: readonly Json[], options: CustomSidecarOptions): string {
  const spec = experiment.spec.metricsCollectorSpec
  const given = (spec?.collector?.customCollector ?? {}) as Json
  const name = customCollectorName(experiment)
  const fileSystemPath = spec?.source?.fileSystemPath
  const mountPath = fileSystemPath?.path ? metricsMountPath(fileSystemPath.kind === 'Directory' ? 'Directory' : 'File', fileSystemPath.path) : undefined
  for (const template of collectorTemplates(manifest, primary, 'Custom')) {
    const podSpec = template.spec as Json
    const mains = containersOf(template).filter((c) => primary.includes(c))
    const collector: Json = { ...structuredClone(given), name, restartPolicy: 'Always' }
    const ours = new Set(options.env.map((e) => e.name))
    const env = Array.isArray(collector.env) ? (collector.env as Json[]).filter((e) => !(isObject(e) && ours.has(e.name))) : []
    collector.env = [...env, ...options.env]
    if (mountPath !== undefined) {
      const volume = shareVolume(template, mains, mountPath)
      const mounts = Array.isArray(collector.volumeMounts) ? (collector.volumeMounts as Json[]) : []
      if (!mounts.some((m) => isObject(m) && m.mountPath === mountPath)) collector.volumeMounts = [...mounts, { name: volume, mountPath }]
    }
    const inits = Array.isArray(podSpec.initContainers) ? (podSpec.initContainers as Json[]) : []
    podSpec.initContainers = [...inits.filter((c) => !(isObject(c) && c.name === name)), collector]
    podSpec.shareProcessNamespace = true
  }
  return name
}
