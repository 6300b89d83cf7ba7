import { createEarlyStopper } from '../algorithms/early-stopping/early-stopping-registry.ts'
import type { EarlyStopper, StopDecision } from '../algorithms/early-stopping/early-stopper.ts'
import type { Experiment } from '../core/spec/index.ts'
import type { IntermediateValue } from '../core/trial.ts'
import type { Store, TrialRecord } from '../db/store.ts'
import { toSnapshot } from '../suggestion/suggestion-service.ts'

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
