import type { ExperimentRecord, Store, TrialRecord } from '../db/store.ts'
import { bestTrial } from './best-trial.ts'

/**
 * Sets the experiment's best trial to the best of `trials` (its whole list, as a controller
 * reads it each pass) when that changed, with an `experiment:new-best` event for a new one, in
 * one transaction. Resolves the experiment as it is now and the best trial.
 */
export async function updateBestTrial(
  store: Store,
  experiment: ExperimentRecord,
  trials: readonly TrialRecord[],
): Promise<{ experiment: ExperimentRecord; best: TrialRecord | undefined }> {
  const objective = experiment.spec.spec.objective
  const best = bestTrial(trials, objective.type, objective.objectiveMetricName, objective)
  if ((best?.id ?? null) === experiment.bestTrialId) return { experiment, best }
  const updated = await store.transaction(async (tx) => {
    const updated = await tx.experiments.update(experiment.id, { bestTrialId: best?.id ?? null })
    if (best) await tx.events.append({ experimentId: experiment.id, trialId: best.id, type: 'experiment:new-best', payload: { objective: best.objective } })
    return updated
  })
  return { experiment: updated, best }
}
