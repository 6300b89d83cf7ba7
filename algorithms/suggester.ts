import type { Rng } from '../core/rng.ts'
import type { Params, SearchSpace } from '../core/search-space.ts'
import type { TrialSnapshot } from '../core/trial.ts'

export type Direction = 'minimize' | 'maximize'

export interface SuggestRequest {
  readonly space: SearchSpace
  readonly direction: Direction
  /** Every trial so far, all states, ordered by number. */
  readonly trials: readonly TrialSnapshot[]
  /** How many new parameter sets are wanted now. */
  readonly count: number
  /** Stream derived from the experiment seed and the suggestion counter. */
  readonly rng: Rng
  /** What the previous call returned as `state` (opaque JSON), if anything. */
  readonly state: unknown
}

export interface SuggestResult {
  /** At most `count`. Fewer only when the space is exhausted. */
  readonly suggestions: readonly Params[]
  readonly state?: unknown
  /** No further suggestion is possible (grid done): the experiment may complete. */
  readonly exhausted?: boolean
}

/**
 * An optimiser. Pure: the same request gives the same result. It never touches the database;
 * state it needs between calls goes through `SuggestResult.state`.
 */
export interface Suggester {
  suggest(request: SuggestRequest): SuggestResult | Promise<SuggestResult>
}
