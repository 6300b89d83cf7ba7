import type { Store, TrialRecord } from '../db/store.ts'

/**
 * Pending becomes Running with its start time, the executor's `execution` (what a restarted
 * controller finds it by) and its event, in one transaction. Compare-and-set: resolves false,
 * writing nothing, when the trial is no longer Pending (killed, or taken by another launch).
 */
export function startTrial(store: Store, trial: Pick<TrialRecord, 'id' | 'experimentId'>, execution: unknown): Promise<boolean> {
  return store.transaction(async (tx) => {
    const started = await tx.trials.transition(trial.id, ['Pending'], 'Running', { startedAt: new Date(), execution })
    if (started) await tx.events.append({ experimentId: trial.experimentId, trialId: trial.id, type: 'trial:state-changed', payload: { state: 'Running' } })
    return started
  })
}
