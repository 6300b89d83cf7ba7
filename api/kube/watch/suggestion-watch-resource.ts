import { KATIB_API_VERSION } from '../object-meta.ts'
import { suggestionObjects, suggestionUid, toSuggestionObject } from '../suggestion-object.ts'
import { listRecords, recordsOf } from './experiment-watch-resource.ts'
import { currentObject, deletedObject, type WatchResource } from './watch-resource.ts'

/** Suggestions: one per experiment, changed by every event of it (it lists every trial's assignment). */
export const suggestionWatchResource: WatchResource = {
  plural: 'suggestions',
  apiVersion: KATIB_API_VERSION,
  kind: 'Suggestion',

  touched: (change) => [{ key: suggestionUid(change.experimentId), experimentId: change.experimentId, created: change.type === 'experiment:created' }],

  async load(store, touched) {
    return (await suggestionObjects(store, await recordsOf(store, touched.map((t) => t.experimentId)))).map(currentObject)
  },

  async deleted(_store, tombstone) {
    const version = { latestId: tombstone.id, latestAt: tombstone.deletedAt, specChanges: tombstone.specChanges }
    return [deletedObject(toSuggestionObject(tombstone.experiment, tombstone.trials, version), tombstone)]
  },

  async list(store, scope) {
    // A Suggestion is named after its experiment.
    const name = scope.name ?? scope.experimentName
    if (scope.name !== undefined && scope.experimentName !== undefined && scope.name !== scope.experimentName) return []
    return (await suggestionObjects(store, await listRecords(store, scope.namespace, name))).map(currentObject)
  },
}
