import type { Store, TrialRecord } from '../db/store.ts'
import { killTrial } from './kill-trial.ts'

/**
 * The reason of a trial stopped because parallelTrialCount was lowered below the number of
 * active trials. Katib deletes such trials (its experiment controller's deleteTrials) and drops
 * their assignments from the Suggestion, so they leave no trace in its counts; we keep them,
 * Killed with this reason, for the record, and leave them out of the counts Katib leaves them
 * out of (isWithdrawn).
 */
export const PARALLELISM_LOWERED = 'ParallelTrialCountLowered'

/** Whether the trial was stopped by a lowered parallelTrialCount: it counts towards neither maxTrialCount nor anything else. */
export function isWithdrawn(trial: Pick<TrialRecord, 'state' | 'reason'>): boolean {
  return trial.state === 'Killed' && trial.reason === PARALLELISM_LOWERED
}

/**
 * Katib's ReconcileTrials when `activeCount > parallelCount`: the newest active trials (by
 * creation, then number) are stopped until only parallelTrialCount are Pending or Running.
 * Katib sorts every trial, whatever its state, and may delete finished ones (a bug: it then
 * stops too few); only active ones are stopped here. Each becomes Killed with its event, in the
 * caller's transaction when it has one; whoever runs its process sees the state and stops it.
 * Resolves the trials stopped.
 */
export async function stopExcessTrials(store: Store, experimentId: string, parallelTrialCount: number, message: string, at = new Date()): Promise<TrialRecord[]> {
  return store.transaction(async (tx) => {
    const active = await tx.trials.list(experimentId, { states: ['Pending', 'Running'] })
    const excess = active.length - parallelTrialCount
    if (excess <= 0) return []
    const newest = [...active].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.number - a.number).slice(0, excess)
    const stopped: TrialRecord[] = []
    for (const trial of newest) {
      if (await killTrial(tx, trial, message, at, PARALLELISM_LOWERED)) stopped.push(trial)
    }
    return stopped
  })
}
