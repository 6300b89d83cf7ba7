import type { Store } from '../db/store.ts'
import { improves } from './best-trial.ts'

/**
 * A trial that just ended with `objective` becomes the experiment's best when it beats the
 * current one, with its `experiment:new-best` event. Under the experiment lock, in one
 * transaction, so two trials ending at once cannot both think they beat the same best. Resolves
 * whether it did.
 */
export function offerBestTrial(store: Store, experimentId: string, trialId: string, objective: number): Promise<boolean> {
  return store.transaction(async (tx) => {
    await tx.experiments.lock(experimentId)
    const now = await tx.experiments.get(experimentId)
    if (!now) return false
    const best = now.bestTrialId ? (await tx.trials.get(now.bestTrialId))?.objective ?? undefined : undefined
    if (!improves(now.spec.spec.objective.type, objective, best)) return false
    await tx.experiments.update(experimentId, { bestTrialId: trialId })
    await tx.events.append({ experimentId, trialId, type: 'experiment:new-best', payload: { objective } })
    return true
  })
}
