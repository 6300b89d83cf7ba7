import type { Store, TrialRecord } from '../db/store.ts'

/**
 * Pending or Running becomes Killed (Katib's TrialKilled, unless another `reason` says why) with
 * its event, in one transaction.
 * Compare-and-set: resolves false, writing nothing, when the trial had already ended. Whoever
 * runs its process sees the state and stops it; what the process reported is still kept
 * (finishTrial).
 */
export function killTrial(store: Store, trial: Pick<TrialRecord, 'id' | 'experimentId'>, message: string, at = new Date(), reason = 'TrialKilled'): Promise<boolean> {
  return store.transaction(async (tx) => {
    const killed = await tx.trials.transition(trial.id, ['Pending', 'Running'], 'Killed', { reason, message, finishedAt: at })
    if (killed) await tx.events.append({ experimentId: trial.experimentId, trialId: trial.id, type: 'trial:state-changed', payload: { state: 'Killed', reason } })
    return killed
  })
}
