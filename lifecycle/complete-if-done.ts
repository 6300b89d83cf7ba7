import type { ExperimentRecord, Store } from '../db/store.ts'
import { isSuggestionExhausted } from '../suggestion/suggestion-service.ts'
import { completeExperiment } from './complete-experiment.ts'
import { isCompleted } from './is-completed.ts'
import { planExperiment, planInputFor, type Completion } from './plan.ts'
import { tallyCounts } from './tally-counts.ts'

/**
 * The completion decision (plan.ts) from counts, for an experiment whose trials are run by
 * outside workers (ask/tell): taken after a tell, an early stop, or when an ask finds nothing to
 * hand out: goal, maxFailedTrialCount, maxTrialCount, exhausted search space. It reads counts,
 * not trials, so it costs the same at any history. The check runs after the caller's own change
 * committed, so of two tells that finish the last trials at once, the later one sees both.
 * Completing re-checks under the experiment lock and completes as every controller does
 * (completeExperiment: Pending and Running trials Killed, events with the change). Resolves the
 * completed experiment, or undefined while it goes on.
 */
export async function completeIfDone(
  store: Store,
  experiment: ExperimentRecord,
  /** The best objective as the caller knows it (a tell that just set it); read when absent. */
  best?: number,
): Promise<ExperimentRecord | undefined> {
  const experimentId = experiment.id
  const decide = async (s: Store, known?: { experiment: ExperimentRecord; best: number | undefined }): Promise<{ experiment: ExperimentRecord; completion?: Completion } | undefined> => {
    const experiment = known?.experiment ?? await s.experiments.get(experimentId)
    if (!experiment) return undefined
    if (isCompleted(experiment)) return { experiment }
    const spec = experiment.spec
    const tally = await s.trials.tally(experimentId)
    const best = known ? known.best : spec.spec.objective.goal !== undefined && experiment.bestTrialId
      ? (await s.trials.get(experiment.bestTrialId))?.objective ?? undefined
      : undefined
    // Exhaustion only decides anything once nothing is active (see planExperiment).
    const exhausted = tally.Pending + tally.Running === 0 && await isSuggestionExhausted(s, experimentId)
    const plan = planExperiment(planInputFor(spec, tallyCounts(tally), best, exhausted))
    return plan.kind === 'complete' ? { experiment, completion: plan.completion } : { experiment }
  }
  // A first look without the lock from what the caller knows: most calls stop here.
  const first = await decide(store, best !== undefined || !experiment.bestTrialId ? { experiment, best } : undefined)
  if (!first) return undefined
  if (isCompleted(first.experiment)) return first.experiment
  if (!first.completion) return undefined
  return store.transaction(async (tx) => {
    await tx.experiments.lock(experimentId)
    const now = await decide(tx)
    if (!now || isCompleted(now.experiment)) return now?.experiment
    if (!now.completion) return undefined
    return (await completeExperiment(tx, experimentId, now.completion)) ?? tx.experiments.get(experimentId)
  })
}
