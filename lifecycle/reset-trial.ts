import type { Store, TrialRecord } from '../db/store.ts'

/**
 * A Running trial whose run is lost (its controller died, its launch was cut short) starts over:
 * Pending again with one restart more, its points dropped so its steps start afresh, and a
 * `trial:restarted` event, in one transaction. Compare-and-set on Running and on the attempt
 * the caller read: resolves false, changing nothing, when either moved on.
 */
export function resetTrial(store: Store, trial: Pick<TrialRecord, 'id' | 'experimentId' | 'restarts'>, message: string): Promise<boolean> {
  return store.transaction(async (tx) => {
    const restarts = trial.restarts + 1
    const reset = await tx.trials.transitionAttempt(trial.id, trial.restarts, ['Running'], 'Pending', {
      execution: null, startedAt: null, restarts, reason: 'TrialRestarted', message,
    })
    if (!reset) return false
    await tx.observations.deleteForTrial(trial.id)
    await tx.events.append({ experimentId: trial.experimentId, trialId: trial.id, type: 'trial:restarted', payload: { restarts } })
    return true
  })
}
