import { rfc3339 } from '../../core/katib/rfc3339.ts'
import { trialAssignments } from '../../core/spec/to-search-space.ts'
import type { ObjectiveSpec } from '../../core/spec/experiment-schema.ts'
import { isTrialCompleted, type TrialState } from '../../core/trial.ts'
import type { EventVersion, ExperimentRecord, Store, TrialRecord } from '../../db/store.ts'
import { EXPERIMENT_LABEL, KATIB_API_VERSION, namespaceOf, objectMeta, type KubeObjectMeta, type KubeOwnerReference } from './object-meta.ts'

/** Katib's TrialCondition (trials/v1beta1). */
export interface KatibTrialCondition {
  readonly type: string
  readonly status: 'True' | 'False' | 'Unknown'
  readonly reason: string
  readonly message: string
  readonly lastUpdateTime: string
  readonly lastTransitionTime: string
}

/** Katib's common.Metric: values are strings, "unavailable" when not reported. */
export interface KatibMetric {
  readonly name: string
  readonly min: string
  readonly max: string
  readonly latest: string
}

export interface KatibParameterAssignment {
  readonly name: string
  readonly value: string
}

/** A Trial as the Kubernetes API serves it: Katib's kubeflow.org/v1beta1 shape (read-only here). */
export interface KatibTrial {
  readonly apiVersion: typeof KATIB_API_VERSION
  readonly kind: 'Trial'
  readonly metadata: KubeObjectMeta
  readonly spec: {
    readonly objective: ObjectiveSpec
    readonly parameterAssignments: readonly KatibParameterAssignment[]
    readonly metricsCollector?: unknown
    readonly primaryContainerName?: string
    readonly primaryPodLabels?: Readonly<Record<string, string>>
    readonly successCondition?: string
    readonly failureCondition?: string
    readonly retainRun?: boolean
  }
  readonly status: {
    readonly startTime: string
    readonly completionTime?: string
    readonly conditions: readonly KatibTrialCondition[]
    readonly observation?: { readonly metrics: readonly KatibMetric[] }
    readonly lastReconcileTime: string
  }
}

/** Katib's condition type, reason and message per completed state (trial/util/status_util.go). */
const COMPLETED: Readonly<Record<Exclude<TrialState, 'Pending' | 'Running'>, readonly [type: string, reason: string, message: string]>> = {
  Succeeded: ['Succeeded', 'TrialSucceeded', 'Trial has succeeded'],
  Failed: ['Failed', 'TrialFailed', 'Trial has failed'],
  Killed: ['Killed', 'TrialKilled', 'Trial is killed'],
  EarlyStopped: ['EarlyStopped', 'TrialEarlyStopped', 'Trial is early stopped'],
  MetricsUnavailable: ['MetricsUnavailable', 'MetricsUnavailable', 'Metrics are not available'],
}

/**
 * The Trial objects of some trials of one experiment, in their order: one query (their event
 * versions) whatever their number.
 */
export async function trialObjects(store: Store, experiment: ExperimentRecord, trials: readonly TrialRecord[]): Promise<KatibTrial[]> {
  if (trials.length === 0) return []
  const versions = await store.events.trialVersions(experiment.id, trials.map((t) => t.id))
  return trials.map((trial) => toTrialObject(experiment, trial, versions.get(trial.id)))
}

/** The owner reference Katib puts on an experiment's Trials and Suggestion (so a cascade delete would take them). */
export function experimentOwner(experiment: Pick<ExperimentRecord, 'name' | 'id'>): KubeOwnerReference {
  return { apiVersion: KATIB_API_VERSION, kind: 'Experiment', name: experiment.name, uid: experiment.id, controller: true, blockOwnerDeletion: true }
}

/**
 * The object from the records; pure. Katib copies the experiment's objective, metrics collector
 * and template fields into each Trial and labels it with the experiment's labels plus
 * `katib.kubeflow.org/experiment`. Times that Katib takes from its clock come from the
 * database (created, started, finished, the trial's latest event).
 */
export function toTrialObject(experiment: ExperimentRecord, trial: TrialRecord, version: EventVersion | undefined): KatibTrial {
  const spec = experiment.spec.spec
  const template = spec.trialTemplate
  const latestAt = version?.latestAt ?? trial.finishedAt ?? trial.startedAt ?? trial.createdAt
  const observation = trial.metrics ? { metrics: observedMetrics(spec.objective, trial.metrics, trial.textMetrics ?? {}) } : undefined
  return {
    apiVersion: KATIB_API_VERSION,
    kind: 'Trial',
    metadata: objectMeta({
      name: trial.name,
      namespace: namespaceOf(experiment.spec),
      uid: trial.id,
      resourceVersion: version?.latestId ?? 0,
      generation: 1,
      createdAt: trial.createdAt,
      labels: { ...experiment.spec.metadata.labels, [EXPERIMENT_LABEL]: experiment.name },
      owner: experimentOwner(experiment),
    }),
    spec: {
      objective: spec.objective,
      parameterAssignments: assignments(experiment, trial),
      ...(spec.metricsCollectorSpec ? { metricsCollector: spec.metricsCollectorSpec } : {}),
      ...(template?.primaryContainerName ? { primaryContainerName: template.primaryContainerName } : {}),
      ...(template?.primaryPodLabels ? { primaryPodLabels: template.primaryPodLabels } : {}),
      ...(template?.successCondition ? { successCondition: template.successCondition } : {}),
      ...(template?.failureCondition ? { failureCondition: template.failureCondition } : {}),
      ...(template?.retain !== undefined ? { retainRun: template.retain } : {}),
    },
    status: {
      startTime: rfc3339(trial.createdAt),
      ...(isTrialCompleted(trial.state) && trial.finishedAt ? { completionTime: rfc3339(trial.finishedAt) } : {}),
      conditions: trialConditions(trial),
      ...(observation ? { observation } : {}),
      lastReconcileTime: rfc3339(latestAt),
    },
  }
}

/** The trial's parameters in the spec's order (as Katib lists them), then any others. */
export function assignments(experiment: ExperimentRecord, trial: Pick<TrialRecord, 'params'>): KatibParameterAssignment[] {
  const order = (experiment.spec.spec.parameters ?? []).map((p) => p.name)
  const names = [...order.filter((n) => Object.hasOwn(trial.params, n)), ...Object.keys(trial.params).filter((n) => !order.includes(n))]
  const written = trialAssignments(experiment.spec, trial.params)
  return names.map((name) => ({ name, value: written[name]! }))
}

/**
 * Katib's condition list for where the trial is: Created; Running once it started (False once it
 * completed, keeping its reason, as Katib's Mark*Succeeded flips it); then the completed state's
 * condition with the trial's own reason and message where it has them.
 */
export function trialConditions(trial: TrialRecord): KatibTrialCondition[] {
  const at = (date: Date) => rfc3339(date)
  const condition = (type: string, status: 'True' | 'False', reason: string, message: string, since: Date, updated = since): KatibTrialCondition =>
    ({ type, status, reason, message, lastUpdateTime: at(updated), lastTransitionTime: at(since) })
  const conditions = [condition('Created', 'True', 'TrialCreated', 'Trial is created', trial.createdAt)]
  const completed = isTrialCompleted(trial.state)
  const end = trial.finishedAt ?? trial.startedAt ?? trial.createdAt
  if (trial.state === 'Running' || (completed && trial.startedAt)) {
    const since = trial.startedAt ?? trial.createdAt
    conditions.push(completed
      ? condition('Running', 'False', 'TrialRunning', 'Trial is running', end)
      : condition('Running', 'True', 'TrialRunning', 'Trial is running', since))
  }
  if (trial.state !== 'Pending' && trial.state !== 'Running') {
    const [type, reason, message] = COMPLETED[trial.state]
    // A success says no more than Katib's message; the other ends keep ours (the job's reason, as Katib appends it).
    const own = trial.state === 'Succeeded' ? undefined : trial.message ?? undefined
    conditions.push(condition(type, 'True', trial.reason ?? reason, own ?? message, end))
  }
  return conditions
}

/** Katib's observation: the objective metric, then the additional ones, then any other reported; "unavailable" where none was. */
function observedMetrics(objective: ObjectiveSpec, metrics: NonNullable<TrialRecord['metrics']>, texts: Readonly<Record<string, string>>): KatibMetric[] {
  const declared = [objective.objectiveMetricName, ...(objective.additionalMetricNames ?? [])]
  const names = [...new Set([...declared, ...Object.keys(metrics), ...Object.keys(texts)])]
  return names.map((name) => {
    const m = metrics[name]
    // Katib keeps a value that is no float (a genotype) as the latest only.
    if (!m && Object.hasOwn(texts, name)) return { name, min: 'unavailable', max: 'unavailable', latest: texts[name]! }
    if (!m) return { name, min: 'unavailable', max: 'unavailable', latest: 'unavailable' }
    return { name, min: String(m.min), max: String(m.max), latest: String(m.latest) }
  })
}
