import type { Params } from '../core/search-space.ts'
import type { WarmStart } from '../core/spec/index.ts'
import type { Store } from '../db/store.ts'

/**
 * What is stored per experiment in its algorithm-state row: the algorithm's own state, whether
 * it ran dry, and two things that are the experiment's rather than the algorithm's but must
 * change with it in one transaction: the warm start's prior trials, copied from the source
 * experiment when this one was created (so deleting or extending the source changes nothing
 * here), and parameter sets enqueued through the API, handed out before any suggestion.
 */
export interface SuggestionState {
  readonly algorithm: unknown
  readonly exhausted: boolean
  readonly warmStart?: WarmStart
  /** Sets of `POST .../trials:enqueue` not yet given to a trial, oldest first. */
  readonly queued?: readonly Params[]
}

export const EMPTY_SUGGESTION_STATE: SuggestionState = { algorithm: undefined, exhausted: false }

/** The stored state and its version (0: no row yet); `store` may be a transaction's. */
export async function readSuggestionState(store: Store, experimentId: string): Promise<{ state: SuggestionState; version: number }> {
  const saved = await store.algorithmStates.get(experimentId)
  return { state: (saved?.state ?? EMPTY_SUGGESTION_STATE) as SuggestionState, version: saved?.version ?? 0 }
}
