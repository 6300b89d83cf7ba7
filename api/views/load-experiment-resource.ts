import type { ExperimentRecord, Store } from '../../db/store.ts'
import type { ExperimentResource } from '../schemas/experiment.ts'
import { experimentResource } from './experiment-view.ts'

/** The resource of one experiment: its record plus the two reads its status needs (trial counts, best trial). */
export async function loadExperimentResource(store: Store, record: ExperimentRecord): Promise<ExperimentResource> {
  const [counts, best] = await Promise.all([
    store.trials.countByState(record.id),
    record.bestTrialId ? store.trials.get(record.bestTrialId) : undefined,
  ])
  return experimentResource(record, counts, best)
}
