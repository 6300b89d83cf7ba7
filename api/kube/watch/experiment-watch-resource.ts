import { DEFAULT_TRIAL_LIST_LIMIT } from '../../../core/katib/katib-status.ts'
import { TRIAL_STATES, type TrialState } from '../../../core/trial.ts'
import type { ExperimentRecord, Store, Tombstone } from '../../../db/store.ts'
import { experimentObjects, toExperimentObject } from '../experiment-object.ts'
import { KATIB_API_VERSION, namespaceOf } from '../object-meta.ts'
import { currentObject, deletedObject, type CurrentObject, type WatchResource } from './watch-resource.ts'

/** Experiments: every event of an experiment (its trials' included) changes its status, so its object. */
export const experimentWatchResource: WatchResource = {
  plural: 'experiments',
  apiVersion: KATIB_API_VERSION,
  kind: 'Experiment',

  touched: (change) => [{ key: change.experimentId, experimentId: change.experimentId, created: change.type === 'experiment:created' }],

  async load(store, touched) {
    const records = await recordsOf(store, touched.map((t) => t.experimentId))
    return (await experimentObjects(store, records)).map(currentObject)
  },

  async deleted(_store, tombstone) {
    return [deletedExperiment(tombstone)]
  },

  async list(store, scope) {
    return (await experimentObjects(store, await listRecords(store, scope.namespace, scope.name))).map(currentObject)
  },
}

/** Records of these ids, one lookup each (a poll concerns few experiments); gone ones are left out. */
export async function recordsOf(store: Store, ids: readonly string[]): Promise<ExperimentRecord[]> {
  const records: ExperimentRecord[] = []
  for (const id of new Set(ids)) {
    const record = await store.experiments.get(id)
    if (record) records.push(record)
  }
  return records
}

/** The experiments in `namespace` (all when absent), only the one named `name` when given. */
export async function listRecords(store: Store, namespace: string | undefined, name: string | undefined): Promise<ExperimentRecord[]> {
  const records = name !== undefined ? [await store.experiments.getByName(name)].filter((r) => r !== undefined) : await store.experiments.list()
  return namespace === undefined ? records : records.filter((r) => namespaceOf(r.spec) === namespace)
}

/** The experiment as it was deleted: its status from its trials as they were then. */
function deletedExperiment(tombstone: Tombstone): CurrentObject {
  const counts = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>
  const names: Partial<Record<TrialState, string[]>> = {}
  for (const trial of tombstone.trials) {
    counts[trial.state] += 1
    ;(names[trial.state] ??= []).push(trial.name)
  }
  for (const state of TRIAL_STATES) if (names[state]) names[state] = names[state].slice(-DEFAULT_TRIAL_LIST_LIMIT)
  const record = tombstone.experiment
  const object = toExperimentObject(record, {
    counts,
    names,
    best: record.bestTrialId ? tombstone.trials.find((t) => t.id === record.bestTrialId) : undefined,
    version: { latestId: tombstone.id, latestAt: tombstone.deletedAt, specChanges: tombstone.specChanges },
  })
  return deletedObject(object, tombstone)
}
