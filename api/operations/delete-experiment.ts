import type { Store } from '../../db/store.ts'
import type { ExperimentControl } from '../app-options.ts'
import { findExperiment, isCompleted } from './find-experiment.ts'
import { stopExperiment } from './stop-experiment.ts'

/**
 * Deletes an experiment with its trials, observations, algorithm state and events (the
 * database cascades). It is stopped first, so no controller restarts it, and its trial
 * processes here have exited before the rows go. Trial logs stay on disk.
 */
export async function deleteExperiment(store: Store, name: string, control?: ExperimentControl): Promise<void> {
  const record = await findExperiment(store, name)
  if (!isCompleted(record)) await stopExperiment(store, name)
  await control?.detach(record.id)
  await store.experiments.delete(record.id)
}
