import type { Experiment } from '../../core/spec/index.ts'
import type { TrialState } from '../../core/trial.ts'
import type { ExperimentProgress, ExperimentRecord, Store, TrialTally } from '../../db/store.ts'
import { goalReached, planExperiment, planInputFor, type Completion } from '../../controller/plan.ts'
import { isSuggestionExhausted } from '../../suggestion/suggestion-service.ts'
import { isCompleted } from './find-experiment.ts'

/**
 * The controller's completion decision (controller/plan.ts) for an ask/tell experiment, taken
 * after a tell or when an ask finds nothing to hand out: goal, maxFailedTrialCount,
 * maxTrialCount, exhausted search space. It reads counts, not trials, so it costs the same at
 * any history. The check runs after the caller's own change committed, so of two tells that
 * finish the last trials at once, the later one sees both. Completing re-checks under the
 * experiment lock, kills what is still Pending or Running (their workers learn it from their
 * next heartbeat), and appends the controller's events. Resolves the completed experiment, or
 * undefined while it goes on.
 */
export async function completeIfDone(
  store: Store,
  experiment: ExperimentRecord,
  /** The best objective as the caller knows it (a tell that just set it); read when absent. */
  best?: number,
): Promise<ExperimentRecord | undefined> {
  const experimentId = experiment.id
  const decide = async (s: Store, known?: { experiment: ExperimentRecord; best: number | undefined }): Promise<{ experiment: ExperimentRecord; completion?: Completion } | undefined> => {
    const experiment = known?.experiment ?? await s.experiments.get(experimentId)
    if (!experiment) return undefined
    if (isCompleted(experiment)) return { experiment }
    const spec = experiment.spec as Experiment
    const tally = await s.trials.tally(experimentId)
    const best = known ? known.best : spec.spec.objective.goal !== undefined && experiment.bestTrialId
      ? (await s.trials.get(experiment.bestTrialId))?.objective ?? undefined
      : undefined
    // Exhaustion only decides anything once nothing is active (see planExperiment).
    const exhausted = tally.Pending + tally.Running === 0 && await isSuggestionExhausted(s, experimentId)
    const plan = planExperiment(planInputFor(spec, countsOf(tally), best, exhausted))
    return plan.kind === 'complete' ? { experiment, completion: plan.completion } : { experiment }
  }
  // A first look without the lock from what the caller knows: most calls stop here.
  const first = await decide(store, best !== undefined || !experiment.bestTrialId ? { experiment, best } : undefined)
  if (!first) return undefined
  if (isCompleted(first.experiment)) return first.experiment
  if (!first.completion) return undefined
  return store.transaction(async (tx) => {
    await tx.experiments.lock(experimentId)
    const now = await decide(tx)
    if (!now || isCompleted(now.experiment)) return now?.experiment
    if (!now.completion) return undefined
    const { completion } = now
    const at = new Date()
    for (const trial of await tx.trials.list(experimentId, { states: ['Pending', 'Running'] })) {
      const killed = await tx.trials.transition(trial.id, ['Pending', 'Running'], 'Killed', {
        reason: 'TrialKilled', message: 'stopped because the experiment completed', finishedAt: at,
      })
      if (killed) await tx.events.append({ experimentId, trialId: trial.id, type: 'trial:state-changed', payload: { state: 'Killed', reason: 'TrialKilled' } })
    }
    const completed = await tx.experiments.transition(experimentId, ['Created', 'Running', 'Restarting'], {
      state: completion.state, reason: completion.reason, message: completion.message, completedAt: at,
    })
    if (!completed) return tx.experiments.get(experimentId)
    await tx.events.append({ experimentId, type: 'experiment:state-changed', payload: { state: completed.state, reason: completed.reason } })
    return completed
  })
}

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
  if (objective.goal !== undefined && best !== undefined && goalReached(objective.type, best, objective.goal)) return true
  if (maxFailedTrialCount !== undefined) return true
  if (maxTrialCount !== undefined && progress.total + MAX_TRIAL_MARGIN >= maxTrialCount) return true
  return progress.suggestionExhausted
}

/**
 * planExperiment reads only sums (active, failed, completed), so trials that ended without
 * failing are all counted as Succeeded here: the tally does not split them.
 */
function countsOf(t: TrialTally): Record<TrialState, number> {
  const ended = t.total - t.Pending - t.Running - t.Failed - t.MetricsUnavailable
  return { Pending: t.Pending, Running: t.Running, Failed: t.Failed, MetricsUnavailable: t.MetricsUnavailable, Succeeded: ended, Killed: 0, EarlyStopped: 0 }
}
