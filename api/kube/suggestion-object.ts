import { createHash } from 'node:crypto'
import { rfc3339 } from '../../core/katib/rfc3339.ts'
import type { AlgorithmSpec, EarlyStoppingSpec } from '../../core/spec/experiment-schema.ts'
import type { EventVersion, ExperimentRecord, Store, TrialRecord } from '../../db/store.ts'
import { EXPERIMENT_LABEL, KATIB_API_VERSION, namespaceOf, objectMeta, type KubeObjectMeta } from './object-meta.ts'
import { assignments, experimentOwner, type KatibParameterAssignment, type KatibTrialCondition } from './trial-object.ts'

/** One assignment of Katib's Suggestion status: the trial it became. */
export interface KatibTrialAssignment {
  readonly name: string
  readonly parameterAssignments: readonly KatibParameterAssignment[]
}

/**
 * An experiment's Suggestion as the Kubernetes API serves it: Katib's kubeflow.org/v1beta1
 * shape, named after the experiment (one per experiment, as Katib's). Read-only: it is our
 * suggestion service's record of what it handed out, i.e. the experiment's trials.
 */
export interface KatibSuggestion {
  readonly apiVersion: typeof KATIB_API_VERSION
  readonly kind: 'Suggestion'
  readonly metadata: KubeObjectMeta
  readonly spec: {
    readonly algorithm: AlgorithmSpec
    readonly earlyStopping?: EarlyStoppingSpec
    /** Assignments asked for: every trial created so far. */
    readonly requests: number
    readonly resumePolicy: string
  }
  readonly status: {
    readonly startTime: string
    readonly completionTime?: string
    readonly conditions: readonly KatibTrialCondition[]
    readonly suggestionCount: number
    readonly suggestions?: readonly KatibTrialAssignment[]
    readonly lastReconcileTime: string
  }
}

/**
 * The Suggestion objects of these experiments, in their order: one query for the event
 * versions, one per experiment for its trials (a Suggestion lists every assignment, as Katib's
 * does).
 */
export async function suggestionObjects(store: Store, records: readonly ExperimentRecord[]): Promise<KatibSuggestion[]> {
  if (records.length === 0) return []
  const versions = await store.events.experimentVersions(records.map((r) => r.id))
  const objects: KatibSuggestion[] = []
  for (const record of records) objects.push(toSuggestionObject(record, await store.trials.list(record.id), versions.get(record.id)!))
  return objects
}

export async function suggestionObject(store: Store, record: ExperimentRecord): Promise<KatibSuggestion> {
  return (await suggestionObjects(store, [record]))[0]!
}

/**
 * The object from the records; pure. Its resourceVersion is the experiment's (every trial
 * created or changed moves both). Conditions follow Katib's suggestion controller: Created and
 * DeploymentReady at once (our suggestion service is in-process), Running while the experiment
 * is started, and when the experiment completes Succeeded (Running False) unless its
 * resumePolicy is LongRunning, which keeps the service running.
 */
export function toSuggestionObject(record: ExperimentRecord, trials: readonly TrialRecord[], version: EventVersion): KatibSuggestion {
  const spec = record.spec.spec
  const resumePolicy = spec.resumePolicy ?? 'Never'
  const completed = record.state === 'Succeeded' || record.state === 'Failed'
  const done = completed && resumePolicy !== 'LongRunning'
  const end = record.completedAt ?? version.latestAt ?? record.createdAt
  const condition = (type: string, status: 'True' | 'False', reason: string, message: string, since: Date): KatibTrialCondition =>
    ({ type, status, reason, message, lastUpdateTime: rfc3339(since), lastTransitionTime: rfc3339(since) })
  const conditions = [
    condition('Created', 'True', 'SuggestionCreated', 'Suggestion is created', record.createdAt),
    condition('DeploymentReady', 'True', 'DeploymentReady', 'Deployment is ready', record.createdAt),
  ]
  if (record.startedAt) {
    conditions.push(done
      ? condition('Running', 'False', 'SuggestionRunning', 'Suggestion is running', end)
      : condition('Running', 'True', 'SuggestionRunning', 'Suggestion is running', record.startedAt))
  }
  if (done) conditions.push(condition('Succeeded', 'True', 'SuggestionSucceeded', 'Suggestion is succeeded', end))
  const suggestions = [...trials].sort((a, b) => a.number - b.number).map((t) => ({ name: t.name, parameterAssignments: assignments(record, t) }))
  return {
    apiVersion: KATIB_API_VERSION,
    kind: 'Suggestion',
    metadata: objectMeta({
      name: record.name,
      namespace: namespaceOf(record.spec),
      uid: suggestionUid(record.id),
      resourceVersion: version.latestId,
      generation: 1 + version.specChanges,
      createdAt: record.createdAt,
      labels: { ...record.spec.metadata.labels, [EXPERIMENT_LABEL]: record.name },
      owner: experimentOwner(record),
    }),
    spec: {
      algorithm: spec.algorithm,
      ...(spec.earlyStopping ? { earlyStopping: spec.earlyStopping } : {}),
      requests: trials.length,
      resumePolicy,
    },
    status: {
      startTime: rfc3339(record.createdAt),
      ...(done && record.completedAt ? { completionTime: rfc3339(record.completedAt) } : {}),
      conditions,
      suggestionCount: trials.length,
      // omitempty, as Katib's.
      ...(suggestions.length > 0 ? { suggestions } : {}),
      lastReconcileTime: rfc3339(version.latestAt ?? record.createdAt),
    },
  }
}

/** A stable UUID-shaped uid of its own (an object's uid is unique across kinds), derived from the experiment's. */
export function suggestionUid(experimentId: string): string {
  const hex = createHash('sha256').update(`suggestion:${experimentId}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
