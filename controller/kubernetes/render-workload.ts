import { effectiveConditions } from '../../core/conditions/index.ts'
import { renderTrialTemplate, type Experiment } from '../../core/spec/index.ts'
import { renderTrialTemplateWithTokens } from '../../core/spec/render-template.ts'
import { trialAssignments } from '../../core/spec/to-search-space.ts'
import type { TrialRecord } from '../../db/store.ts'
import { LaunchError } from '../trial-executor.ts'
import { labelTemplate, podTemplates } from './pod-templates.ts'
import { primaryContainers, setEnv } from './primary-containers.ts'
import { workloadLabels } from './workload-labels.ts'
import { injectCollector, SIDECAR_COLLECTOR_KINDS, sidecarSource } from './collector-sidecar.ts'
import { injectCustomCollector } from './custom-collector-sidecar.ts'
import { tokenEnv, trialSecret, trialSecretName } from './trial-secret.ts'
import { applyClusterArgv, escapeKubeVars, type TokenizedContainer } from './cluster-argv.ts'
import { isJsonObject } from './walk-objects.ts'

type Json = Record<string, unknown>

/** The Experiment resource a workload belongs to (operator mode): deleting it deletes the trials' workloads. */
export interface WorkloadOwner {
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly uid: string
}

export interface RenderOptions {
  /** Where the workload goes when the Experiment names no metadata.namespace: the kubeconfig context's. */
  readonly defaultNamespace: string
  /** The trial's own environment (report URL and token, ...): set on the primary container. */
  readonly env?: Readonly<Record<string, string>>
  /** The text of a configMap trialTemplate source (fetch-config-map-template.ts reads it). */
  readonly configMapTemplate?: string
  readonly owner?: WorkloadOwner
  /** The image of the File, TensorFlowEvent and PrometheusMetric collector sidecar (`tunewell collect`); default DEFAULT_COLLECTOR_IMAGE. */
  readonly collectorImage?: string
  /** Where the collector sidecar's counted steps start (TrialRequest.firstStep); default 0. */
  readonly firstStep?: number
}

/** The Tunewell image of this version, as deploy/ builds and tags it (deploy/base/kustomization.yaml). */
export const DEFAULT_COLLECTOR_IMAGE = 'tunewell:0.1.0'

/** A trial's workload, ready to create, and what the executor needs to follow it. */
export interface RenderedWorkload {
  readonly manifest: Json
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly namespace: string
  /** Which of the workload's pods is the trial's (its log is the StdOut collector's); empty: every pod. */
  readonly primaryPodLabels: Readonly<Record<string, string>>
  readonly primaryContainerName: string
  /** A Custom collector's container in the primary pods: its log is read as metrics lines, as a local collector's stdout is. */
  readonly collectorContainerName?: string
  /** Katib's GJSON conditions: the template's, else the defaults for its kind. */
  readonly successCondition: string
  readonly failureCondition: string
  /** trialTemplate.retain: keep the workload once the trial ended. */
  readonly retain: boolean
  /**
   * The trial's push token as a Secret, for the trials that push (the Push collector, the File
   * and TensorFlowEvent sidecar): the manifest references it (env valueFrom secretKeyRef), so it
   * must exist before the pods start.
   */
  readonly secret?: Json
}

/** A DNS-1123 label: what a Job's name must be (its pods carry it in the `job-name` label, at most 63 characters). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/**
 * Renders a trial's workload from the Experiment's trialTemplate (trialSpec, or the configMap
 * source's text): placeholders filled in as for local trials (core/spec/render-template.ts),
 * named after the trial (trial names are deterministic, suggestion/trial-name.ts, so a repeated
 * create is a 409, never a second workload), in the Experiment's namespace, labelled with
 * Katib's labels and ours on the workload and its pod templates, owned by the Experiment
 * resource when one is given, and the trial's environment on its primary container(s), whose
 * command and args are the argv Katib's `sh -c` would run (cluster-argv.ts).
 * Pure: a LaunchError says why a template cannot run on a cluster.
 */
export function renderWorkload(experiment: Experiment, trial: Pick<TrialRecord, 'name' | 'params'>, options: RenderOptions): RenderedWorkload {
  const template = experiment.spec.trialTemplate
  if (!template) throw new LaunchError('the experiment has no trialTemplate; its trials are run by outside workers, not on the cluster')
  if (template.command !== undefined) {
    throw new LaunchError('the trialTemplate is the local `command` form, which runs on this machine only; give a trialSpec (e.g. a batch/v1 Job) to run trials on Kubernetes')
  }
  if (!DNS_LABEL.test(trial.name) || trial.name.length > 63) {
    throw new LaunchError(`trial name "${trial.name}" is no valid Kubernetes name (lower case letters, digits and '-', at most 63 characters)`)
  }
  const namespace = experiment.metadata.namespace ?? options.defaultNamespace
  const assignments = trialAssignments(experiment, trial.params)
  let manifest: Json
  // The same manifest with each substituted value as a token: the primary containers' command,
  // args and env are rebuilt from it (cluster-argv.ts), so that values stay literal there.
  let tokenized: { rendered: Json; values: string[] }
  try {
    manifest = renderTrialTemplate(experiment, { name: trial.name, namespace, assignments }, options.configMapTemplate) as Json
    const withTokens = renderTrialTemplateWithTokens(experiment, { name: trial.name, namespace, assignments }, options.configMapTemplate)
    tokenized = { rendered: withTokens.rendered as Json, values: withTokens.values }
  } catch (error) {
    throw new LaunchError(`cannot render the trial template: ${(error as Error).message}`)
  }
  const { apiVersion, kind } = manifest
  if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
    throw new LaunchError('the trial template has no apiVersion and kind; a trialSpec is a whole Kubernetes object, e.g. apiVersion: batch/v1, kind: Job')
  }
  const primaryContainerName = template.primaryContainerName ?? ''
  const primaryPodLabels = template.primaryPodLabels ?? {}
  // The template's conditions, else its kind's defaults: a configMap template's kind is known only
  // now (validation asks such a template for both, as Katib does; a kind without defaults must give them).
  const conditions = effectiveConditions(kind, template)
  if (!conditions.success || !conditions.failure) {
    throw new LaunchError(`a ${kind} has no default success and failure conditions; set trialTemplate.successCondition and failureCondition (GJSON paths into its status)`)
  }

  const labels = workloadLabels(experiment.metadata.name, trial.name)
  const metadata = manifest.metadata as Json
  metadata.labels = { ...(metadata.labels as Json | undefined), ...labels }
  if (options.owner) {
    metadata.ownerReferences = [{ ...options.owner, controller: true, blockOwnerDeletion: true }]
  }
  for (const podTemplate of podTemplates(manifest)) labelTemplate(podTemplate, labels)
  if (kind === 'Workflow') labelArgoPods(manifest, labels)

  const containers = primaryContainers(manifest, primaryContainerName, primaryPodLabels)
  if (containers.length === 0 && kind === 'Job') {
    throw new LaunchError(`trialSpec has no container named "${primaryContainerName}" (trialTemplate.primaryContainerName)`)
  }
  const templates = containers.map((container) => tokenizedTwin(manifest, tokenized.rendered, container))
  // The push token goes only to what pushes, and through the trial's Secret; the URL (no secret) to every trial, as locally.
  const { TUNEWELL_REPORT_URL: reportUrl, TUNEWELL_REPORT_TOKEN: token, ...givenEnv } = options.env ?? {}
  // A value that holds the token (the grpc_proxy URL of Katib's gRPC API) reads it from the
  // Secret as $(TUNEWELL_REPORT_TOKEN), after that entry, and only where the trial pushes.
  const holdsToken = ([, value]: [string, string]) => token !== undefined && token !== '' && value.includes(token)
  const trialEnv = Object.fromEntries(Object.entries(givenEnv).filter((entry) => !holdsToken(entry)))
  const tokenHolders = Object.entries(givenEnv).filter(holdsToken).map(([name, value]) => ({ name, value: value.split(token!).join('$(TUNEWELL_REPORT_TOKEN)') }))
  const collectorKind = experiment.spec.metricsCollectorSpec?.collector?.kind ?? 'StdOut'
  const sidecar = SIDECAR_COLLECTOR_KINDS.includes(collectorKind)
  const custom = collectorKind === 'Custom'
  let secret: Json | undefined
  const pushEnv: Json[] = []
  // A Custom collector may push too (its log is read either way), so it gets the token where there is a report URL.
  if ((collectorKind === 'Push' || sidecar || custom) && reportUrl && token) {
    const secretName = trialSecretName(trial.name)
    secret = trialSecret(secretName, namespace, labels, token)
    pushEnv.push({ name: 'TUNEWELL_REPORT_URL', value: reportUrl }, tokenEnv('TUNEWELL_REPORT_TOKEN', secretName))
  } else if (sidecar) {
    throw new LaunchError(`collector kind ${collectorKind} pushes the metrics from a sidecar to the controller, which needs an address the pods can reach: set --report-url (TUNEWELL_REPORT_URL)`)
  }
  const source = sidecarSource(experiment)
  const fileSystemPath = experiment.spec.metricsCollectorSpec?.source?.fileSystemPath
  const metricsFile = source?.kind === 'File' ? source.path : custom && fileSystemPath?.path ? fileSystemPath.path : undefined
  const env = {
    KATIB_TRIAL_NAME: trial.name,
    TUNEWELL_TRIAL_NAME: trial.name,
    TUNEWELL_PARAMS: JSON.stringify(trial.params),
    ...(metricsFile !== undefined ? { TUNEWELL_METRICS_FILE: metricsFile } : {}),
    ...(reportUrl ? { TUNEWELL_REPORT_URL: reportUrl } : {}),
    ...trialEnv,
  }
  // Literal values: the kubelet would expand a `$(VAR)` in them (a parameter's, inside TUNEWELL_PARAMS).
  const literalEnv = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, escapeKubeVars(value)]))
  for (const container of containers) {
    setEnv(container, literalEnv)
    if (collectorKind === 'Push') setEnvEntries(container, pushEnv.length > 0 ? [...pushEnv, ...tokenHolders] : [])
  }
  const tekton = apiVersion.startsWith('tekton.dev/')
  containers.forEach((container, i) => applyClusterArgv(container, templates[i]!, collectorKind, tokenized.values, { tekton }))
  if (sidecar) {
    injectCollector(manifest, experiment, containers, {
      image: options.collectorImage ?? DEFAULT_COLLECTOR_IMAGE,
      env: [{ name: 'TUNEWELL_TRIAL_NAME', value: trial.name }, ...pushEnv],
      ...(options.firstStep ? { firstStep: options.firstStep } : {}),
    })
  }
  const collectorContainerName = custom
    ? injectCustomCollector(manifest, experiment, containers, {
      env: [
        { name: 'KATIB_TRIAL_NAME', value: trial.name },
        { name: 'TUNEWELL_TRIAL_NAME', value: trial.name },
        ...(metricsFile !== undefined ? [{ name: 'TUNEWELL_METRICS_FILE', value: metricsFile }] : []),
        ...Object.entries(trialEnv).map(([name, value]) => ({ name, value })),
        ...(reportUrl && pushEnv.length === 0 ? [{ name: 'TUNEWELL_REPORT_URL', value: reportUrl }] : []),
        ...pushEnv,
        // After the token's entry: Kubernetes expands $(VAR) only of entries listed before.
        ...(pushEnv.length > 0 ? tokenHolders : []),
      ],
    })
    : undefined

  return {
    manifest,
    apiVersion,
    kind,
    name: trial.name,
    namespace,
    primaryPodLabels,
    primaryContainerName,
    ...(collectorContainerName !== undefined ? { collectorContainerName } : {}),
    successCondition: conditions.success,
    failureCondition: conditions.failure,
    retain: template.retain === true,
    ...(secret ? { secret } : {}),
  }
}

/**
 * The tokenized text of a rendered primary container: the object at the same place in the
 * manifest rendered with tokens (both renderings have one shape; labelling since then touched no
 * container), and its env values by the rendered env entries, before the trial's env is set.
 */
function tokenizedTwin(manifest: Json, withTokens: Json, container: Json): TokenizedContainer {
  const path = pathTo(manifest, container) ?? []
  let twin: unknown = withTokens
  for (const key of path) twin = (twin as Record<string | number, unknown>)?.[key]
  const tokenized = isJsonObject(twin) ? twin : {}
  const env = Array.isArray(container.env) ? container.env : []
  const tokenizedEnv = Array.isArray(tokenized.env) ? tokenized.env : []
  const envValues = new Map<object, string>()
  env.forEach((item, i) => {
    const value = isJsonObject(tokenizedEnv[i]) ? tokenizedEnv[i].value : undefined
    if (isJsonObject(item) && typeof value === 'string') envValues.set(item, value)
  })
  return { command: tokenized.command, args: tokenized.args, envValues }
}

/** The keys that lead from `root` to `target` (the same object), if it is there. */
function pathTo(root: unknown, target: object): (string | number)[] | undefined {
  if (root === target) return []
  if (typeof root !== 'object' || root === null) return undefined
  for (const [key, value] of Array.isArray(root) ? root.entries() : Object.entries(root)) {
    const rest = pathTo(value, target)
    if (rest) return [key, ...rest]
  }
  return undefined
}

/** Sets env entries (plain or valueFrom) in a container, replacing those of the same name. */
function setEnvEntries(container: Json, entries: readonly Json[]): void {
  if (entries.length === 0) return
  const names = new Set(entries.map((e) => e.name))
  const existing = Array.isArray(container.env) ? (container.env as Json[]) : []
  container.env = [...existing.filter((e) => !names.has(e?.name)), ...entries]
}

/** An Argo Workflow labels its pods from spec.podMetadata. */
function labelArgoPods(manifest: Json, labels: Readonly<Record<string, string>>): void {
  const spec = manifest.spec as Json | undefined
  if (typeof spec !== 'object' || spec === null) return
  const podMetadata = (spec.podMetadata ?? {}) as Json
  spec.podMetadata = { ...podMetadata, labels: { ...(podMetadata.labels as Json | undefined), ...labels } }
}
