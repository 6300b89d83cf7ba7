import { TunewellError } from '../../core/errors.ts'
import type { ExperimentRecord, Store } from '../../db/store.ts'
import { completeExperiment } from '../../lifecycle/complete-experiment.ts'
import { findExperiment, isCompleted } from './find-experiment.ts'

/** Katib has no stop; ours completes the experiment with this reason (see docs/api.md). */
export const STOPPED_REASON = 'ExperimentStopped'

/**
 * Completes a Created, Running or Restarting experiment as Succeeded with reason
 * ExperimentStopped (its best trial stands, as for any completion), and marks its Pending and
 * Running trials Killed in the same transaction, as any completion does (lifecycle/
 * completeExperiment); the controller then stops their processes (the runner sees the completed
 * state) and keeps what they had reported. Stopping a stopped
 * experiment changes nothing; one that completed otherwise is a 409.
 */
export async function stopExperiment(store: Store, name: string): Promise<ExperimentRecord> {
  return store.transaction(async (tx) => {
    const record = await findExperiment(tx, name)
    // Serialises with the suggestion service, so no trial is created after the stop commits.
    await tx.experiments.lock(record.id)
    if (isCompleted(record)) {
      if (record.reason === STOPPED_REASON) return record
      throw new TunewellError('STATE_CONFLICT', `experiment "${name}" already completed (${record.state}, ${record.reason}); there is nothing to stop`)
    }
    const stopped = await completeExperiment(tx, record.id, {
      state: 'Succeeded', reason: STOPPED_REASON, message: 'experiment was stopped through the API',
    }, 'killed because the experiment was stopped')
    if (!stopped) throw new TunewellError('STATE_CONFLICT', `experiment "${name}" changed state while it was being stopped; retry`)
    return stopped
  })
}
