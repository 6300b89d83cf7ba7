import type { Store } from '../db/store.ts'
import { killTrial } from './kill-trial.ts'

/** killTrial for every Pending and Running trial of the experiment, in one transaction; resolves how many it killed. */
export function killActiveTrials(store: Store, experimentId: string, message: string, at = new Date()): Promise<number> {
  return store.transaction(async (tx) => {
    let killed = 0
    for (const trial of await tx.trials.list(experimentId, { states: ['Pending', 'Running'] })) {
      if (await killTrial(tx, trial, message, at)) killed += 1
    }
    return killed
  })
}
