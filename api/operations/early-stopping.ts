import type { MetricPoint } from '../../core/metric.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../../db/store.ts'
import { completeIfDone } from '../../lifecycle/complete-if-done.ts'
import { earlyStopTrial } from '../../lifecycle/early-stop-trial.ts'
import { decideEarlyStop, earlyStopperOf } from '../../lifecycle/early-stopping-check.ts'

/**
 * The hook for early stopping of ask/tell trials: called after every batch of points a Running
 * trial pushes, with that batch. A decision is passed to the worker as `shouldStop` with its
 * reason; a rule that wants the trial to end EarlyStopped (Katib's state for it) also makes that
 * transition itself, so the worker's later tell is answered TRIAL_FINISHED.
 */
export type EarlyStoppingRule = (input: {
  readonly experiment: ExperimentRecord
  readonly trial: TrialRecord
  readonly points: readonly MetricPoint[]
}) => Promise<{ readonly reason: string } | undefined>

/**
 * The experiment's own `spec.earlyStopping` rule (medianstop, asha), as the local runner applies
 * it: judged when a batch holds an objective point, on the curves stored (this batch included).
 * A stop marks the trial EarlyStopped in its current attempt and checks whether the experiment is
 * done; a repeated push after that is answered shouldStop by the trial's state alone.
 */
export function specEarlyStopping(store: Store): EarlyStoppingRule {
  return async ({ experiment, trial, points }) => {
    const spec = experiment.spec
    const stopper = earlyStopperOf(spec)
    if (!stopper || !points.some((p) => p.name === spec.spec.objective.objectiveMetricName)) return undefined
    const decision = await decideEarlyStop(store, stopper, spec, trial)
    if (!decision.stop) return undefined
    if (await earlyStopTrial(store, spec, trial, decision.reason, trial.restarts)) await completeIfDone(store, experiment)
    return { reason: decision.reason }
  }
}
