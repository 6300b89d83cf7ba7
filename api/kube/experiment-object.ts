import { DEFAULT_TRIAL_LIST_LIMIT, katibStatus } from '../../core/katib/katib-status.ts'
import type { ExperimentSpec } from '../../core/spec/experiment-schema.ts'
import type { KatibExperimentStatus } from '../../core/spec/katib-experiment-status-schema.ts'
import type { TrialState } from '../../core/trial.ts'
import type { EventVersion, ExperimentRecord, Store, TrialRecord } from '../../db/store.ts'
import { KATIB_API_VERSION, namespaceOf, objectMeta, type KubeObjectMeta } from './object-meta.ts'

/** An Experiment as the Kubernetes API serves it: Katib's kubeflow.org/v1beta1 shape. */
export interface KatibExperiment {
  readonly apiVersion: typeof KATIB_API_VERSION
  readonly kind: 'Experiment'
  readonly metadata: KubeObjectMeta
  readonly spec: ExperimentSpec
  readonly status: KatibExperimentStatus
}

/** What experimentObject needs besides the record, read in batches by experimentObjects. */
export interface ExperimentObjectFacts {
  readonly counts: Readonly<Record<TrialState, number>>
  readonly names: Readonly<Partial<Record<TrialState, readonly string[]>>>
  readonly best: TrialRecord | undefined
  readonly version: EventVersion
}

/**
 * The Experiment objects of these records, in their order, with Katib's status. Four queries
 * whatever the number of records (counts, names, best trials, event versions), so a list of
 * 500 experiments costs what a list of 5 does. Run it in the transaction that read the records
 * for a consistent answer.
 */
export async function experimentObjects(store: Store, records: readonly ExperimentRecord[]): Promise<KatibExperiment[]> {
  if (records.length === 0) return []
  const ids = records.map((r) => r.id)
  const bestIds = records.flatMap((r) => (r.bestTrialId ? [r.bestTrialId] : []))
  // One after the other: on PGlite (one connection) or in a transaction they would queue anyway.
  const counts = await store.trials.countByStateForExperiments(ids)
  const names = await store.trials.recentNamesByStateForExperiments(ids, DEFAULT_TRIAL_LIST_LIMIT)
  const best = new Map((await store.trials.getMany(bestIds)).map((t) => [t.id, t]))
  const versions = await store.events.experimentVersions(ids)
  return records.map((record) => toExperimentObject(record, {
    counts: counts.get(record.id)!,
    names: names.get(record.id)!,
    best: record.bestTrialId ? best.get(record.bestTrialId) : undefined,
    version: versions.get(record.id)!,
  }))
}

export async function experimentObject(store: Store, record: ExperimentRecord): Promise<KatibExperiment> {
  return (await experimentObjects(store, [record]))[0]!
}

/**
 * The object from the record and its facts. Pure: the same database state gives the same object
 * byte for byte, because status times that Katib takes from the clock are taken from the latest
 * event instead, so an object changes only when its resourceVersion does.
 */
export function toExperimentObject(record: ExperimentRecord, facts: ExperimentObjectFacts): KatibExperiment {
  const meta = record.spec.metadata
  const status = katibStatus({
    experiment: record,
    counts: facts.counts,
    names: facts.names,
    ...(facts.best ? { best: facts.best } : {}),
    now: facts.version.latestAt ?? record.createdAt,
  })
  return {
    apiVersion: KATIB_API_VERSION,
    kind: 'Experiment',
    metadata: objectMeta({
      name: record.name,
      generateName: meta.generateName,
      namespace: namespaceOf(record.spec),
      uid: record.id,
      resourceVersion: facts.version.latestId,
      generation: 1 + facts.version.specChanges,
      createdAt: record.createdAt,
      labels: meta.labels,
      annotations: meta.annotations,
    }),
    spec: record.spec.spec,
    status,
  }
}
