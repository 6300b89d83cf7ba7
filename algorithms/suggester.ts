import type { Rng } from '../core/rng.ts'
import type { Params, SearchSpace } from '../core/search-space.ts'
import type { TrialSnapshot } from '../core/trial.ts'

export type Direction = 'minimize' | 'maximize'

export interface SuggestRequest {
  readonly space: SearchSpace
  readonly direction: Direction
  /**
   * Every objective's direction in spec order, present (length >= 2) only for a multi-objective
   * experiment (docs/multiobjective.md); `direction` is then `directions[0]`. The trials'
   * `values` are aligned with it.
   */
  readonly directions?: readonly Direction[]
  /** How many constraints the experiment has (each trial's `constraints` holds that many); absent means 0. */
  readonly constraintCount?: number
  /**
   * Every trial so far, all states, ordered by number; empty for an algorithm whose
   * `usesHistory` says it does not read them.
   */
  readonly trials: readonly TrialSnapshot[]
  /** How many trials exist so far; `trials.length` when absent. */
  readonly trialCount?: number
  /** How many new parameter sets are wanted now. */
  readonly count: number
  /**
   * Stream derived from the experiment seed and `trialCount`: for work the whole call shares
   * (fitting a model). It is also the stream of the call's first suggestion (see `suggestionRng`).
   */
  readonly rng: Rng
  /**
   * The stream of the `index`-th suggestion of this call, which becomes trial number
   * `trialCount + index`: derived from the experiment seed and that trial number only, so what
   * an algorithm draws for trial n does not depend on how many trials were asked at once (a
   * crash and resume, free slots, ask/tell workers asking ahead). Calling it again for the same
   * index continues the same stream; index 0 is `rng` itself, so a one-trial ask draws exactly
   * as it did before streams were per trial. Absent for direct callers (tests): every suggestion
   * then draws from `rng` in turn (see `rngForSuggestion`).
   */
  readonly suggestionRng?: (index: number) => Rng
  /** What the previous call returned as `state` (opaque JSON), if anything. */
  readonly state: unknown
  /**
   * A warm start (core/spec/warm-start.ts): succeeded trials of another experiment, their
   * parameters inside this space. Model-based algorithms read them as history that was never
   * a trial here (no trial numbers, counts or seeds of their own: `trialCount` and the streams
   * ignore them); random, grid and sobol ignore them.
   */
  readonly priorTrials?: readonly TrialSnapshot[]
}

export interface SuggestResult {
  /** At most `count`. Fewer only when the space is exhausted, or with `waiting`. */
  readonly suggestions: readonly Params[]
  readonly state?: unknown
  /** No further suggestion is possible (grid done): the experiment may complete. */
  readonly exhausted?: boolean
  /**
   * Fewer than `count` for now, not for good: the algorithm needs results of trials that are
   * still pending or running (a synchronous rung of hyperband) before it can suggest more.
   * Ask again when one of them completes; never set together with `exhausted`.
   */
  readonly waiting?: boolean
  /**
   * Aligned with `suggestions`: the name of the trial a suggestion continues (hyperband's
   * promotion of a configuration to more resource), or null for a fresh start. A runner that
   * keeps a checkpoint directory per lineage hands the parent's directory to the new trial.
   */
  readonly parents?: readonly (string | null)[]
}

/**
 * An optimiser. Pure: the same request gives the same result. It never touches the database;
 * state it needs between calls goes through `SuggestResult.state`.
 */
export interface Suggester {
  suggest(request: SuggestRequest): SuggestResult | Promise<SuggestResult>
}
