import { TunewellError } from '../../core/errors.ts'
import type { Store, TrialRecord } from '../../db/store.ts'
import { killTrial as killTrialOf } from '../../lifecycle/kill-trial.ts'
import { findExperiment, findTrial } from './find-experiment.ts'

/**
 * Marks a Pending or Running trial Killed (Katib's TrialKilled); the runner that owns its
 * process sees the state and stops it. Killing a killed trial changes nothing; one that ended
 * otherwise is a 409. Like any completed trial it counts towards maxTrialCount.
 */
export async function killTrial(store: Store, experimentName: string, trialName: string): Promise<TrialRecord> {
  return store.transaction(async (tx) => {
    const experiment = await findExperiment(tx, experimentName)
    const trial = await findTrial(tx, experiment, trialName)
    if (trial.state === 'Killed') return trial
    if (!await killTrialOf(tx, trial, 'killed through the API')) {
      const now = await tx.trials.get(trial.id)
      throw new TunewellError('STATE_CONFLICT', `trial "${trialName}" already finished (${now?.state ?? trial.state}); there is nothing to kill`)
    }
    return (await tx.trials.get(trial.id))!
  })
}
