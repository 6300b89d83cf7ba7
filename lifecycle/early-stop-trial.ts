import type { Experiment } from '../core/spec/index.ts'
import { strategyFor } from '../core/spec/index.ts'
import type { Store, TrialRecord } from '../db/store.ts'
import { pickObjective } from '../metrics-collector/objective.ts'

/** Katib's reason for a trial its early-stopping rule ended. */
export const EARLY_STOPPED_REASON = 'TrialEarlyStopped'

/**
 * Running → EarlyStopped with the rule's reason as message, the objective picked by the metric
 * strategy over the points stored so far, and the state-change event, in one transaction.
 * Compare-and-set (and on `restarts`, for an ask/tell attempt): resolves false, changing
 * nothing, when the trial had already left Running, so a repeated call never writes twice.
 * Points must be stored first.
 */
export function earlyStopTrial(
  store: Store,
  spec: Experiment,
  trial: Pick<TrialRecord, 'id' | 'experimentId'>,
  reason: string,
  restarts?: number,
): Promise<boolean> {
  const metric = spec.spec.objective.objectiveMetricName
  return store.transaction(async (tx) => {
    const summary = await tx.observations.summarize(trial.id)
    const objective = pickObjective(summary[metric], strategyFor(spec, metric)) ?? null
    const metrics = Object.fromEntries(Object.entries(summary).map(([k, s]) => [k, { min: s.min, max: s.max, latest: s.latest }]))
    const stopped = await tx.trials.transitionAttempt(trial.id, restarts, ['Running'], 'EarlyStopped', {
      objective, metrics, reason: EARLY_STOPPED_REASON, message: reason, finishedAt: new Date(),
    })
    if (!stopped) return false
    await tx.events.append({
      experimentId: trial.experimentId, trialId: trial.id, type: 'trial:state-changed',
      payload: { state: 'EarlyStopped', reason: EARLY_STOPPED_REASON, objective, message: reason },
    })
    return true
  })
}
