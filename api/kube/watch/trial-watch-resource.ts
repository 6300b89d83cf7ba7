import type { Store, TrialRecord } from '../../../db/store.ts'
import { KATIB_API_VERSION } from '../object-meta.ts'
import { toTrialObject, trialObjects } from '../trial-object.ts'
import { listRecords, recordsOf } from './experiment-watch-resource.ts'
import { currentObject, deletedObject, type CurrentObject, type WatchResource } from './watch-resource.ts'

/** Trials: a trial's own events change it; its experiment's deletion deletes it. */
export const trialWatchResource: WatchResource = {
  plural: 'trials',
  apiVersion: KATIB_API_VERSION,
  kind: 'Trial',

  touched: (change) => (change.trialId === null ? [] : [{ key: change.trialId, experimentId: change.experimentId, created: change.type === 'trial:created' }]),

  async load(store, touched) {
    const byExperiment = new Map<string, string[]>()
    for (const t of touched) byExperiment.set(t.experimentId, [...(byExperiment.get(t.experimentId) ?? []), t.key])
    const objects: CurrentObject[] = []
    for (const experiment of await recordsOf(store, [...byExperiment.keys()])) {
      const trials = await store.trials.getMany(byExperiment.get(experiment.id)!)
      objects.push(...(await trialObjects(store, experiment, trials.filter((t) => t.experimentId === experiment.id))).map(currentObject))
    }
    return objects
  },

  async deleted(_store, tombstone) {
    return tombstone.trials.map((trial) => deletedObject(toTrialObject(tombstone.experiment, trial, undefined), tombstone))
  },

  async list(store, scope) {
    if (scope.name !== undefined) return trialNamed(store, scope.name)
    const objects: CurrentObject[] = []
    for (const experiment of await listRecords(store, scope.namespace, scope.experimentName)) {
      objects.push(...(await trialObjects(store, experiment, await store.trials.list(experiment.id))).map(currentObject))
    }
    return objects
  },
}

async function trialNamed(store: Store, name: string): Promise<CurrentObject[]> {
  const trial: TrialRecord | undefined = await store.trials.getByName(name)
  const experiment = trial && (await store.experiments.get(trial.experimentId))
  return trial && experiment ? (await trialObjects(store, experiment, [trial])).map(currentObject) : []
}
