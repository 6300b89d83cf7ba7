import { createEarlyStopper } from '../algorithms/early-stopping/early-stopping-registry.ts'
import type { EarlyStopper, StopDecision } from '../algorithms/early-stopping/early-stopper.ts'
import type { Experiment } from '../core/spec/index.ts'
import { strategyFor } from '../core/spec/index.ts'
import type { IntermediateValue } from '../core/trial.ts'
import type { Store, TrialRecord } from '../db/store.ts'
import { pickObjective } from '../metrics-collector/objective.ts'
import { toSnapshot } from '../suggestion/suggestion-service.ts'

/** Katib's reason for a trial its early-stopping rule ended. */
export const EARLY_STOPPED_REASON = 'TrialEarlyStopped'

/** The experiment's `spec.earlyStopping` rule, or undefined without one (validated at creation). */
export function earlyStopperOf(spec: Experiment): EarlyStopper | undefined {
  const rule = spec.spec.earlyStopping
  return rule?.algorithmName ? createEarlyStopper(rule.algorithmName, rule.algorithmSettings ?? []) : undefined
}

/**
 * The rule's verdict on a Running trial that just reported its objective, against every trial
 * of the experiment with the curves stored so far (two queries, whatever the history). `own` is
 * the trial's curve as its collector has seen it, points not yet written included; without it
 * the stored one is used. Pure given the database, so asking again after a crash gives the same
 * answer for the same points.
 */
export async function decideEarlyStop(
  store: Store,
  stopper: EarlyStopper,
  spec: Experiment,
  trial: TrialRecord,
  own?: readonly IntermediateValue[],
): Promise<StopDecision> {
  const [trials, curves] = await Promise.all([
    store.trials.list(trial.experimentId),
    store.observations.curves(trial.experimentId, spec.spec.objective.objectiveMetricName),
  ])
  return stopper.decide({
    trial: toSnapshot(trial, own ?? curves.get(trial.id)),
    trials: trials.map((t) => toSnapshot(t, curves.get(t.id))),
    direction: spec.spec.objective.type,
  })
}

/**
 * Running → EarlyStopped with the rule's reason as message, the objective picked by the metric
 * strategy over the points stored so far, and the state-change event. Compare-and-set (and on
 * `restarts`, for an ask/tell attempt): resolves false, changing nothing, when the trial had
 * already left Running, so a repeated call never writes twice. Points must be stored first.
 */
export async function markEarlyStopped(
  store: Store,
  spec: Experiment,
  trial: TrialRecord,
  reason: string,
  restarts?: number,
): Promise<boolean> {
  const metric = spec.spec.objective.objectiveMetricName
  const summary = await store.observations.summarize(trial.id)
  const objective = pickObjective(summary[metric], strategyFor(spec, metric)) ?? null
  const metrics = Object.fromEntries(Object.entries(summary).map(([k, s]) => [k, { min: s.min, max: s.max, latest: s.latest }]))
  const stopped = await store.trials.transitionAttempt(trial.id, restarts, ['Running'], 'EarlyStopped', {
    objective, metrics, reason: EARLY_STOPPED_REASON, message: reason, finishedAt: new Date(),
  })
  if (!stopped) return false
  await store.events.append({
    experimentId: trial.experimentId, trialId: trial.id, type: 'trial:state-changed',
    payload: { state: 'EarlyStopped', reason: EARLY_STOPPED_REASON, objective, message: reason },
  })
  return true
}
