import type { Params } from './search-space.ts'

/** Katib's trial conditions, used as states. `Pending` is Katib's `Created`. */
export type TrialState =
  | 'Pending'
  | 'Running'
  | 'Succeeded'
  | 'Failed'
  | 'Killed'
  | 'EarlyStopped'
  | 'MetricsUnavailable'

export const TRIAL_STATES: readonly TrialState[] = [
  'Pending', 'Running', 'Succeeded', 'Failed', 'Killed', 'EarlyStopped', 'MetricsUnavailable',
]

export function isTrialCompleted(state: TrialState): boolean {
  return state !== 'Pending' && state !== 'Running'
}

/** Katib's per-metric observation summary. */
export interface MetricSummary {
  readonly min: number
  readonly max: number
  readonly latest: number
}

/** One reported value of the objective metric at a training step (epoch, iteration...). */
export interface IntermediateValue {
  readonly step: number
  readonly value: number
}

/** Immutable view of a trial handed to algorithms (Optuna's FrozenTrial). */
export interface TrialSnapshot {
  readonly id: string
  /** 0, 1, 2 ... within the experiment, in creation order. */
  readonly number: number
  readonly name: string
  readonly state: TrialState
  readonly params: Params
  /** Objective value picked by the objective's metric strategy; set once the trial succeeded. */
  readonly objective?: number
  /**
   * Every objective's value in spec order, raw (not sign-flipped): set for Succeeded trials whose
   * objectives are all finite numbers; `objective` is `values[0]`. Multi-objective algorithms
   * read it (SuggestRequest.directions); single-objective ones read `objective`.
   */
  readonly values?: readonly number[]
  /**
   * The violation of each constraint in spec order (<= 0 kept, > 0 broken, +Infinity when its
   * metric was never reported), set for Succeeded trials of experiments with constraints.
   */
  readonly constraints?: readonly number[]
  /**
   * The objective metric as reported so far, one entry per step in ascending step order (the
   * raw values, before the metric strategy picks `objective`). Optional: only multi-fidelity
   * algorithms and early-stopping rules read it, and older callers do not fill it.
   */
  readonly intermediate?: readonly IntermediateValue[]
  readonly createdAt: Date
  readonly finishedAt?: Date
}
