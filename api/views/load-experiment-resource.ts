import { isMultiObjective } from '../../core/multiobjective/objectives.ts'
import type { ExperimentRecord, Store } from '../../db/store.ts'
import { experimentFront } from '../../lifecycle/best-front.ts'
import type { ExperimentResource } from '../schemas/experiment.ts'
import { experimentResource } from './experiment-view.ts'

/**
 * The resource of one experiment: its record plus the reads its status needs (trial counts, best
 * trial; for several objectives every trial, for the Pareto front and its hypervolume).
 */
export async function loadExperimentResource(store: Store, record: ExperimentRecord): Promise<ExperimentResource> {
  const objective = record.spec.spec.objective
  const [counts, best, front] = await Promise.all([
    store.trials.countByState(record.id),
    record.bestTrialId ? store.trials.get(record.bestTrialId) : undefined,
    isMultiObjective(objective) ? store.trials.list(record.id, { states: ['Succeeded'] }).then((trials) => experimentFront(objective, trials)) : undefined,
  ])
  return experimentResource(record, counts, best, front)
}
