import type { Store } from '../../db/store.ts'
import { findWorkerTrial } from './find-worker-trial.ts'
import type { WorkerBatches } from './worker-batches.ts'
import { stopReason } from './stop-reason.ts'

export interface ShouldStop {
  readonly shouldStop: boolean
  readonly reason?: string
}

/**
 * A worker's sign of life (POST .../trials/{trial}:heartbeat): keeps its trial from being
 * handed to another worker, and answers whether it should stop (see stopReason).
 */
export async function heartbeatTrial(store: Store, batches: WorkerBatches, experimentName: string, trialName: string, attempt?: number): Promise<ShouldStop> {
  const { trial } = await findWorkerTrial(batches, experimentName, trialName)
  const restarts = attempt === undefined ? undefined : attempt - 1
  if (await store.trials.heartbeat(trial.id, restarts)) return { shouldStop: false }
  const now = (await store.trials.get(trial.id)) ?? trial
  return { shouldStop: true, reason: stopReason(now, restarts) ?? 'the trial is no longer held by this worker' }
}
