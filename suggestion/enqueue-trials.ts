import { InvalidSpecError, TunewellError } from '../core/errors.ts'
import { checkParameterSets } from '../core/spec/check-parameter-sets.ts'
import { toSearchSpace } from '../core/spec/index.ts'
import type { Store } from '../db/store.ts'
import { readSuggestionState } from './suggestion-state.ts'

/**
 * Parameter sets to try before the algorithm's next suggestions (Optuna's `enqueue_trial`,
 * `POST .../trials:enqueue`): checked against the search space (InvalidSpecError at
 * `/params/<i>/<name>`), then appended to the experiment's queue in its suggestion state under
 * the experiment's lock, so the next trials created take them, oldest first. They add no trials:
 * a finished experiment runs them when trials are added (`run --more`, `:extend`). Resolves how
 * many sets wait now.
 */
export async function enqueueTrials(store: Store, experimentId: string, sets: unknown): Promise<number> {
  return store.transaction(async (tx) => {
    await tx.experiments.lock(experimentId)
    const experiment = await tx.experiments.get(experimentId)
    if (!experiment) throw new TunewellError('EXPERIMENT_NOT_FOUND', `experiment ${experimentId} does not exist`)
    if (experiment.spec.spec.nasConfig) {
      throw new InvalidSpecError([{ path: '/params', message: `experiment "${experiment.name}" is an architecture search; its trials' assignments come from the search, not from parameter sets` }])
    }
    const { params, issues } = checkParameterSets(sets, toSearchSpace(experiment.spec), '/params')
    if (issues.length > 0) throw new InvalidSpecError(issues)
    const { state, version } = await readSuggestionState(tx, experimentId)
    const queued = [...state.queued ?? [], ...params]
    await tx.algorithmStates.put(experimentId, { ...state, queued }, version)
    return queued.length
  })
}
