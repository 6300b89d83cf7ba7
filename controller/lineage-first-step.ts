import type { Store, TrialRecord } from '../db/store.ts'

/**
 * Where a trial's counted steps start: one past the highest step its parent stored (a
 * hyperband promotion, a pbt child), so that a lineage is one series of steps in the learning
 * curves and for the early-stopping rules, instead of every child starting at 0 again over its
 * parent's steps. 0 for a fresh trial, or a parent that stored nothing (or is gone). A parent's
 * own steps already go on from its parent's, so a whole lineage lines up.
 *
 * Only steps a trial does not give itself are moved: a line's `epoch=`/`step=` key, a JSON step,
 * an event file's or a push's step are the trial's own word and stored as given (a trial that
 * resumed from its parent's checkpoint prints the epochs after the parent's anyway).
 */
export async function lineageFirstStep(store: Pick<Store, 'trials' | 'observations'>, trial: Pick<TrialRecord, 'parentTrialName'>): Promise<number> {
  if (!trial.parentTrialName) return 0
  const parent = await store.trials.getByName(trial.parentTrialName)
  if (!parent) return 0
  let next = 0
  for (const point of await store.observations.list(parent.id)) next = Math.max(next, point.step + 1)
  return next
}
