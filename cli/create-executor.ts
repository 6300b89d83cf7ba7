import { KubeConfig, VersionApi } from '@kubernetes/client-node'
import type { SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import { checkLocalRunnable } from '../controller/check-local.ts'
import { checkKubernetesRunnable, sidecarVersionIssues } from '../controller/kubernetes/check-kubernetes.ts'
import { KubernetesExecutor } from '../controller/kubernetes/kubernetes-executor.ts'
import type { WorkloadOwner } from '../controller/kubernetes/render-workload.ts'
import { kubeErrorMessage } from '../controller/kubernetes/kube-error.ts'
import { PushHub } from '../controller/push-hub.ts'
import type { TrialExecutor } from '../controller/trial-executor.ts'
import { keepConnectionsAlive } from '../controller/kubernetes/kept-alive-agents.ts'

export const EXECUTOR_ENV = 'TUNEWELL_EXECUTOR'
export const REPORT_URL_ENV = 'TUNEWELL_REPORT_URL'
export const COLLECTOR_IMAGE_ENV = 'TUNEWELL_COLLECTOR_IMAGE'
export const KATIB_GRPC_PORT_ENV = 'TUNEWELL_KATIB_GRPC_PORT'
export const EXECUTOR_KINDS = ['local', 'kubernetes'] as const
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number]

/** `--executor`, `--context` and `--report-url` as given (each falls back to its variable). */
export interface ExecutorFlags {
  readonly executor?: string
  readonly context?: string
  readonly reportUrl?: string
  readonly collectorImage?: string
  readonly katibGrpcPort?: string
}

/** The executor options, checked; a string says what is wrong with them (a usage error, exit 2). */
export interface ExecutorChoice {
  readonly kind: ExecutorKind
  readonly context?: string
  /** Where trials off this machine push their metrics; only with the kubernetes executor. */
  readonly reportUrl?: URL
  /** The File, TensorFlowEvent and PrometheusMetric collector sidecar's image; undefined: the Tunewell image of this version. */
  readonly collectorImage?: string
  /** Serve Katib's DBManager gRPC API to the pods on this port (with reportUrl only). */
  readonly katibGrpcPort?: number
}

/** Where this process's trials run, once set up: for `createLocalRunner` and the supervisor. */
export interface TrialPlacement {
  readonly kind: ExecutorKind
  /** Shared by every runner; undefined: each runner gets a LocalProcessExecutor of its own. */
  readonly executor?: TrialExecutor
  /** The receiver of pushed metrics at --report-url; undefined: each runner's own on loopback. */
  readonly push?: PushHub
  /** The cluster's kubeconfig, with the context chosen (kubernetes only): operator mode watches there too. */
  readonly kubeConfig?: KubeConfig
  /** For the banner: "local processes", "Kubernetes (context x, namespace y)". */
  readonly description: string
  /** Why this experiment cannot run here (empty when it can), with JSON paths into its spec. */
  check(experiment: Experiment): SpecIssue[]
  /** Ends the watches and the push receiver; the workloads stay on the cluster. */
  close(): Promise<void>
}

export function parseExecutorFlags(flags: ExecutorFlags, env: NodeJS.ProcessEnv): ExecutorChoice | string {
  const kind = (flags.executor ?? env[EXECUTOR_ENV] ?? 'local').trim()
  const source = flags.executor !== undefined ? '--executor' : EXECUTOR_ENV
  if (!(EXECUTOR_KINDS as readonly string[]).includes(kind)) {
    return `${source} must be one of ${EXECUTOR_KINDS.join(', ')}, got ${JSON.stringify(kind)}`
  }
  if (kind === 'local') {
    if (flags.context !== undefined) return '--context only applies with --executor kubernetes'
    if (flags.reportUrl !== undefined) return '--report-url only applies with --executor kubernetes (local trials push to a loopback port)'
    if (flags.collectorImage !== undefined) return '--collector-image only applies with --executor kubernetes'
    if (flags.katibGrpcPort !== undefined) return '--katib-grpc-port only applies with --executor kubernetes (local Push trials get Katib\'s gRPC API on a loopback port anyway)'
    return { kind: 'local' }
  }
  // TUNEWELL_REPORT_URL is also what a trial reads; in the controller's environment it says
  // where pods reach this controller.
  const text = flags.reportUrl ?? env[REPORT_URL_ENV]
  let reportUrl: URL | undefined
  if (text !== undefined && text.trim() !== '') {
    const source = flags.reportUrl !== undefined ? '--report-url' : REPORT_URL_ENV
    try {
      reportUrl = new URL(text.trim())
    } catch {
      return `${source} must be a URL such as http://10.0.0.5:8081, got ${JSON.stringify(text)}`
    }
    if (reportUrl.protocol !== 'http:' || (reportUrl.pathname !== '/' && reportUrl.pathname !== '') || reportUrl.search || reportUrl.username) {
      return `${source} must be an http URL with a host and a port and nothing after them (pods push to <url>/trials/<trial>/metrics), got ${JSON.stringify(text)}`
    }
  }
  const collectorImage = (flags.collectorImage ?? env[COLLECTOR_IMAGE_ENV] ?? '').trim()
  const portText = (flags.katibGrpcPort ?? env[KATIB_GRPC_PORT_ENV] ?? '').trim()
  let katibGrpcPort: number | undefined
  if (portText !== '') {
    const source = flags.katibGrpcPort !== undefined ? '--katib-grpc-port' : KATIB_GRPC_PORT_ENV
    katibGrpcPort = Number(portText)
    if (!/^\d+$/.test(portText) || katibGrpcPort > 65535) return `${source} must be a port number (0 to 65535; Katib's is 6789), got ${JSON.stringify(portText)}`
    if (!reportUrl) return `${source} needs --report-url (TUNEWELL_REPORT_URL) as well: pods reach Katib's gRPC API at that URL's host`
    if (katibGrpcPort !== 0 && katibGrpcPort === Number(reportUrl.port || 80)) return `${source} ${katibGrpcPort} is the port of --report-url (TUNEWELL_REPORT_URL); give each its own`
  }
  return {
    kind: 'kubernetes',
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    ...(reportUrl ? { reportUrl } : {}),
    ...(collectorImage !== '' ? { collectorImage } : {}),
    ...(katibGrpcPort !== undefined ? { katibGrpcPort } : {}),
  }
}

/**
 * A cluster that cannot be used: no kubeconfig or a broken one, an unreachable server (exit
 * code 3, the environment), or a --context the kubeconfig does not have (2, bad input).
 */
export class ClusterUnavailableError extends Error {
  readonly exitCode: 2 | 3
  constructor(message: string, exitCode: 2 | 3 = 3) {
    super(message)
    this.exitCode = exitCode
  }
}

/** How long the first request to the API server may take before the cluster counts as unreachable. */
const REACH_TIMEOUT_MS = 15_000

/**
 * Sets up where trials run. Kubernetes: the kubeconfig from where kubectl finds it (KUBECONFIG's
 * files merged, else ~/.kube/config, else the pod's service account), the context chosen, and
 * one request to the API server (/version) so that a cluster that cannot be reached is said
 * before any experiment is touched; throws ClusterUnavailableError.
 */
export async function createTrialPlacement(
  choice: ExecutorChoice,
  /** Operator mode: the Experiment resource that owns each trial's workload (KubernetesExecutor's ownerOf). */
  ownerOf?: (experiment: Experiment) => WorkloadOwner | undefined,
): Promise<TrialPlacement> {
  if (choice.kind === 'local') {
    return { kind: 'local', description: 'local processes', check: runnableCheck(choice), close: async () => {} }
  }
  const kubeConfig = loadKubeConfig(choice.context)
  const context = kubeConfig.getCurrentContext()
  const server = kubeConfig.getCurrentCluster()?.server ?? '(none)'
  let version: { major?: string; minor?: string } | undefined
  try {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${REACH_TIMEOUT_MS / 1000} s`)), REACH_TIMEOUT_MS)
    })
    version = await Promise.race([kubeConfig.makeApiClient(VersionApi).getCode(), timeout]).finally(() => clearTimeout(timer))
  } catch (error) {
    throw new ClusterUnavailableError(`the Kubernetes API server ${server} (context "${context}") does not answer: ${kubeErrorMessage(error)}`)
  }
  const executor = new KubernetesExecutor({ kubeConfig, ...(ownerOf ? { ownerOf } : {}), ...(choice.collectorImage ? { collectorImage: choice.collectorImage } : {}), ...(version ? { serverVersion: version } : {}) })
  let push: PushHub | undefined
  if (choice.reportUrl) {
    try {
      push = await PushHub.start(choice.reportUrl, process.env, choice.katibGrpcPort !== undefined ? { katibGrpcPort: choice.katibGrpcPort } : {})
    } catch (error) {
      executor.close()
      const ports = `port ${choice.reportUrl.port || 80}${choice.katibGrpcPort !== undefined ? ` and Katib's gRPC API on port ${choice.katibGrpcPort} (--katib-grpc-port)` : ''}`
      throw new ClusterUnavailableError(`cannot listen for pushed metrics on ${ports} (--report-url ${choice.reportUrl.origin}): ${(error as Error).message}`)
    }
  }
  return {
    kind: 'kubernetes',
    executor,
    kubeConfig,
    ...(push ? { push } : {}),
    description: `Kubernetes (context "${context}", namespace "${executor.defaultNamespace}" unless the experiment names one)`,
    check: (experiment) => [...runnableCheck(choice)(experiment), ...sidecarVersionIssues(experiment, version)],
    close: async () => {
      executor.close()
      await push?.close()
    },
  }
}

/** Why an experiment cannot run where `choice` puts its trials; known before the cluster is reached. */
export function runnableCheck(choice: ExecutorChoice): (experiment: Experiment) => SpecIssue[] {
  if (choice.kind === 'local') return checkLocalRunnable
  return (experiment) => [...checkKubernetesRunnable(experiment), ...pushIssues(experiment, choice.reportUrl !== undefined)]
}

function pushIssues(experiment: Experiment, canPush: boolean): SpecIssue[] {
  const kind = experiment.spec.metricsCollectorSpec?.collector?.kind ?? 'StdOut'
  if (canPush || (kind !== 'Push' && kind !== 'File' && kind !== 'TensorFlowEvent' && kind !== 'PrometheusMetric')) return []
  return [{
    path: '/spec/metricsCollectorSpec/collector/kind',
    message: `${kind === 'Push' ? 'Push metrics from pods' : `The ${kind} collector's sidecar, which pushes the metrics,`} need${kind === 'Push' ? '' : 's'} an address of this controller that the pods can reach: set --report-url (TUNEWELL_REPORT_URL), ` +
      'e.g. http://<this machine\'s address>:8081; or collect with StdOut (the primary container\'s log)',
  }]
}

function loadKubeConfig(context: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig()
  try {
    // true: with several KUBECONFIG files the first one's current-context counts, as for kubectl.
    kubeConfig.loadFromDefault(undefined, true)
  } catch (error) {
    // A YAML error quotes the file under its first line; the first line says what and where.
    throw new ClusterUnavailableError(`cannot load the kubeconfig: ${(error as Error).message.split('\n')[0]}`)
  }
  // loadFromDefault's last resort when it found nothing: an unauthenticated http://localhost:8080.
  if (kubeConfig.getCurrentContext() === 'loaded-context' && kubeConfig.getCurrentCluster()?.server === 'http://localhost:8080') {
    throw new ClusterUnavailableError('no kubeconfig found: set KUBECONFIG, create ~/.kube/config, or run in a pod with a service account')
  }
  if (context !== undefined) {
    const names = kubeConfig.getContexts().map((c) => c.name)
    if (!names.includes(context)) {
      throw new ClusterUnavailableError(`no context "${context}" in the kubeconfig; it has ${names.length > 0 ? names.map((n) => `"${n}"`).join(', ') : 'none'}`, 2)
    }
    kubeConfig.setCurrentContext(context)
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new ClusterUnavailableError(`the kubeconfig's context "${kubeConfig.getCurrentContext()}" names no cluster it defines`)
  }
  return keepConnectionsAlive(kubeConfig)
}
