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
  readonly createdAt: Date
  readonly finishedAt?: Date
}
