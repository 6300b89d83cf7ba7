import type { Store, TrialRecord } from '../db/store.ts'
import { bestTrial, improves } from './best-trial.ts'

/**
 * A trial that just ended with `objective` becomes the experiment's best when it beats the
 * current one, or ties it with a lower number (trials end in any order; the best of a tie is
 * the earlier trial, as bestTrial picks it and a table sorted by objective lists it first),
 * with its `experiment:new-best` event. Under the experiment lock, in one transaction, so two
 * trials ending at once cannot both think they beat the same best. Resolves whether it did.
 */
export function offerBestTrial(store: Store, experimentId: string, trialId: string, objective: number): Promise<boolean> {
  return store.transaction(async (tx) => {
    await tx.experiments.lock(experimentId)
    const now = await tx.experiments.get(experimentId)
    if (!now) return false
    const spec = now.spec.spec.objective
    if (spec.objectives !== undefined || spec.constraints?.length) {
      // Constraints or several objectives: whether the trial is best depends on more than its
      // objective (feasibility, the front), so the best is chosen again from every trial.
      // The best may move to a third trial: one that dominates the best can take it off the
      // front, leaving an earlier trial with the same first objective in front.
      const best = bestTrial(await tx.trials.list(experimentId), spec.type, spec.objectiveMetricName, spec)
      if (!best || best.id === now.bestTrialId) return false
      await tx.experiments.update(experimentId, { bestTrialId: best.id })
      await tx.events.append({ experimentId, trialId: best.id, type: 'experiment:new-best', payload: { objective: best.objective } })
      return best.id === trialId
    }
    const current = now.bestTrialId ? await tx.trials.get(now.bestTrialId) : undefined
    const best = current?.objective ?? undefined
    if (!improves(now.spec.spec.objective.type, objective, best) && !(await earlierTie(tx, trialId, objective, current))) return false
    await tx.experiments.update(experimentId, { bestTrialId: trialId })
    await tx.events.append({ experimentId, trialId, type: 'experiment:new-best', payload: { objective } })
    return true
  })
}

/** The offered trial ties the current best and was numbered before it. */
async function earlierTie(tx: Store, trialId: string, objective: number, current: TrialRecord | undefined): Promise<boolean> {
  if (current?.objective !== objective) return false
  const offered = await tx.trials.get(trialId)
  return offered !== undefined && offered.number < current.number
}
