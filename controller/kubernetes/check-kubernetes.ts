import type { SpecIssue } from '../../core/errors.ts'
import type { Experiment } from '../../core/spec/index.ts'
import { SCRAPE_INTERVAL_ANNOTATION, scrapeIntervalMs } from '../metrics-port.ts'
import { customCollectorClusterIssue } from './custom-collector-sidecar.ts'

/**
 * The metrics collectors trials on a cluster have: their log (StdOut), the push API, the File,
 * TensorFlowEvent and PrometheusMetric collectors as a sidecar that pushes (collector-sidecar.ts),
 * and a Custom collector's own container as a sidecar whose log is read (custom-collector-sidecar.ts).
 */
export const KUBERNETES_COLLECTOR_KINDS: readonly string[] = ['StdOut', 'Push', 'File', 'TensorFlowEvent', 'PrometheusMetric', 'Custom']
/** The kinds whose collector runs as a native sidecar in the trial's pod. */
const NATIVE_SIDECAR_KINDS: readonly string[] = ['File', 'TensorFlowEvent', 'PrometheusMetric', 'Custom']

/**
 * What a valid Experiment may still ask for that the Kubernetes executor cannot give (yet).
 * For the command line to report before the first trial, as controller/check-local.ts does for
 * local runs; the executor refuses the same trials one by one (a LaunchError) otherwise.
 */
export function checkKubernetesRunnable(experiment: Experiment): SpecIssue[] {
  const issues: SpecIssue[] = []
  const template = experiment.spec.trialTemplate
  if (!template) {
    issues.push({ path: '/spec/trialTemplate', message: 'no trialTemplate is given, so there is nothing to run on the cluster; add a trialSpec (e.g. a batch/v1 Job), or submit the experiment to `tunewell serve` for outside (ask/tell) workers' })
  } else if (template.command !== undefined) {
    issues.push({ path: '/spec/trialTemplate/command', message: 'trialTemplate.command runs a local process; on Kubernetes give a trialSpec (e.g. a batch/v1 Job whose container runs that command)' })
  }
  const collector = collectorIssue(experiment)
  const custom = experiment.spec.metricsCollectorSpec?.collector?.kind === 'Custom'
  if (collector) issues.push({ path: `/spec/metricsCollectorSpec/collector/${custom ? 'customCollector' : 'kind'}`, message: collector })
  if (experiment.spec.metricsCollectorSpec?.collector?.kind === 'PrometheusMetric') {
    const interval = scrapeIntervalMs(experiment)
    if (typeof interval === 'string') issues.push({ path: `/metadata/annotations/${SCRAPE_INTERVAL_ANNOTATION.replace('/', '~1')}`, message: interval })
  }
  return issues
}

/** Why the experiment's metrics collector cannot run on the cluster yet, if it cannot. */
export function collectorIssue(experiment: Experiment): string | undefined {
  const kind = experiment.spec.metricsCollectorSpec?.collector?.kind ?? 'StdOut'
  if (KUBERNETES_COLLECTOR_KINDS.includes(kind)) return customCollectorClusterIssue(experiment)
  return `collector kind ${kind} is not supported for trials on Kubernetes; use StdOut (the primary container's log), File, TensorFlowEvent, PrometheusMetric, Custom or Push`
}

/** The first Kubernetes version with native sidecars on by default (the SidecarContainers feature, beta). */
export const NATIVE_SIDECAR_VERSION = { major: 1, minor: 29 } as const

/**
 * Whether the cluster can run the collector sidecar (File, TensorFlowEvent, PrometheusMetric, or
 * a Custom collector's container): an API server
 * older than 1.29 drops the init container's `restartPolicy: Always`, so the collector would run
 * as an ordinary init container that never ends, and the trial's container would never start.
 * `version` is the API server's /version answer (`minor` may carry a suffix, e.g. "29+").
 */
export function sidecarVersionIssues(experiment: Experiment, version: { readonly major?: string; readonly minor?: string } | undefined): SpecIssue[] {
  const kind = experiment.spec.metricsCollectorSpec?.collector?.kind
  if (kind === undefined || !NATIVE_SIDECAR_KINDS.includes(kind)) return []
  const major = Number.parseInt(version?.major ?? '', 10)
  const minor = Number.parseInt(version?.minor ?? '', 10)
  // A server that does not say (or says something unexpected) gets the benefit of the doubt.
  if (!Number.isFinite(major) || !Number.isFinite(minor)) return []
  if (major > NATIVE_SIDECAR_VERSION.major || (major === NATIVE_SIDECAR_VERSION.major && minor >= NATIVE_SIDECAR_VERSION.minor)) return []
  return [{
    path: '/spec/metricsCollectorSpec/collector/kind',
    message: `collector kind ${kind} runs as a native sidecar, which needs Kubernetes 1.29 or later; this cluster is ${major}.${minor}, ` +
      'where the collector would keep the trial\'s pod from ever starting. Use StdOut (the primary container\'s log) or Push',
  }]
}
