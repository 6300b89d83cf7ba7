import { activeGoal, type Experiment } from '../core/spec/index.ts'
import type { ExperimentProgress } from '../db/store.ts'
import { goalReached } from './plan.ts'

/**
 * How many trials short of maxTrialCount a tell still checks. Its progress is read before its
 * finish commits, and trials created meanwhile are not in it: to be missed, this many would have
 * to be created and finished within one tell (and the next ask, finding nothing to claim,
 * would still complete the experiment).
 */
const MAX_TRIAL_MARGIN = 1_000

/**
 * Whether completeIfDone can complete the experiment after a tell (planExperiment's reasons in
 * its order), from the tell's read of its progress and the best objective it knows. False means
 * the check is skipped: no goal reached, no maxFailedTrialCount (failures are always checked,
 * as before), maxTrialCount unset or far off, and the search space not exhausted.
 */
export function mayComplete(spec: Experiment, progress: ExperimentProgress, best: number | undefined): boolean {
  const { objective, maxFailedTrialCount, maxTrialCount } = spec.spec
  const goal = activeGoal(spec)
  if (goal !== undefined && best !== undefined && goalReached(objective.type, best, goal)) return true
  if (maxFailedTrialCount !== undefined) return true
  if (maxTrialCount !== undefined && progress.total + MAX_TRIAL_MARGIN >= maxTrialCount) return true
  return progress.suggestionExhausted
}
