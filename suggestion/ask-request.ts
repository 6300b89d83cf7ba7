import type { Direction, RawSetting } from '../algorithms/index.ts'
import type { Params, SearchSpace } from '../core/search-space.ts'
import type { NasConfig } from '../core/spec/experiment-schema.ts'
import type { TrialSnapshot } from '../core/trial.ts'

/** One suggestion call's question and answer (askAlgorithm, ask-nas-algorithm.ts, the worker pool). */
export interface AskRequest {
  /** Katib `algorithmName`. */
  readonly algorithmName: string
  /** Katib `algorithmSettings`, as strings; assumed valid (checked at experiment creation). */
  readonly settings: readonly RawSetting[]
  readonly space: SearchSpace
  readonly direction: Direction
  /** Every objective's direction, only for a multi-objective experiment (SuggestRequest.directions). */
  readonly directions?: readonly Direction[]
  /** How many constraints the experiment has (SuggestRequest.constraintCount); absent means 0. */
  readonly constraintCount?: number
  /** Every trial so far, all states, ordered by number; empty when the algorithm does not use them (see `trialCount`). */
  readonly trials: readonly TrialSnapshot[]
  /** How many trials exist so far; `trials.length` when absent. */
  readonly trialCount?: number
  /** A warm start's trials of another experiment (SuggestRequest.priorTrials). */
  readonly priorTrials?: readonly TrialSnapshot[]
  /** How many new parameter sets are wanted. */
  readonly count: number
  /** The experiment seed. */
  readonly seed: number
  /** What the previous ask returned as `state`; undefined before the first. */
  readonly state: unknown
  /** The experiment's `spec.nasConfig`: the ask is an architecture search's (ask-nas-algorithm.ts). */
  readonly nasConfig?: NasConfig
}

export interface AskResult {
  /** At most `count`. */
  readonly suggestions: readonly Params[]
  /** Opaque algorithm state to hand to the next ask (null when the algorithm keeps none). */
  readonly state: unknown
  /** The algorithm ran dry: it said so, or gave fewer than `count` without saying it is `waiting`. */
  readonly exhausted: boolean
  /** Aligned with `suggestions`: the trial each continues (hyperband's promotions), null for a fresh start. */
  readonly parents?: readonly (string | null)[]
}
