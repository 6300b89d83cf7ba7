import type { ExperimentRecord, Store } from '../db/store.ts'
import { killActiveTrials } from './kill-active-trials.ts'
import type { Completion } from './plan.ts'

/** Why the leftovers of a completion are killed, in their messages. */
export const COMPLETED_KILL_MESSAGE = 'stopped because the experiment completed'

/**
 * Completes an experiment that is not completed yet (Created, Running or Restarting), in one
 * transaction under the experiment's lock (so the suggestion service creates no trial after
 * it): the experiment's state and reason, every Pending and Running trial Killed (Katib leaves
 * running trials behind, kubeflow/katib#2061; we do not), and their events. Whoever runs those
 * trials' processes stops them on seeing the state, and keeps what they had reported.
 * Compare-and-set: when the experiment completed meanwhile, theirs stands, nothing is written
 * and this resolves undefined.
 */
export function completeExperiment(
  store: Store,
  experimentId: string,
  completion: Completion,
  killMessage = COMPLETED_KILL_MESSAGE,
): Promise<ExperimentRecord | undefined> {
  return store.transaction(async (tx) => {
    await tx.experiments.lock(experimentId)
    const at = new Date()
    const completed = await tx.experiments.transition(experimentId, ['Created', 'Running', 'Restarting'], {
      state: completion.state, reason: completion.reason, message: completion.message, completedAt: at,
    })
    if (!completed) return undefined
    await killActiveTrials(tx, experimentId, killMessage, at)
    await tx.events.append({ experimentId, type: 'experiment:state-changed', payload: { state: completed.state, reason: completed.reason } })
    return completed
  })
}
