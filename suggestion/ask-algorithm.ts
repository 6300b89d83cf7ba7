import { getAlgorithm, parseSettings } from '../algorithms/index.ts'
import type { Direction, RawSetting } from '../algorithms/index.ts'
import { TunewellError } from '../core/errors.ts'
import { trialRngs } from '../core/rng.ts'
import type { Params, SearchSpace } from '../core/search-space.ts'
import type { TrialSnapshot } from '../core/trial.ts'
import type { NasConfig } from '../core/spec/experiment-schema.ts'
import { askNasAlgorithm } from './ask-nas-algorithm.ts'

export interface AskRequest {
  /** Katib `algorithmName`. */
  readonly algorithmName: string
  /** Katib `algorithmSettings`, as strings; assumed valid (checked at experiment creation). */
  readonly settings: readonly RawSetting[]
  readonly space: SearchSpace
  readonly direction: Direction
  /** Every trial so far, all states, ordered by number; empty when the algorithm does not use them (see `trialCount`). */
  readonly trials: readonly TrialSnapshot[]
  /** How many trials exist so far; `trials.length` when absent. */
  readonly trialCount?: number
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

/**
 * One suggestion call, without the database: what SuggestionService does between reading the
 * experiment and writing trials. Kept separate so the benchmarks time and score exactly the code
 * path the service runs. Each suggestion draws from the stream of the trial number it will
 * get (the seed and that number only, `trialRngs`), so a retried call after a crash suggests
 * the same points, and so does a call that asks for more or fewer trials at once.
 */
export async function askAlgorithm(request: AskRequest): Promise<AskResult> {
  if (request.nasConfig) return askNasAlgorithm({ ...request, nasConfig: request.nasConfig })
  const definition = getAlgorithm(request.algorithmName)
  if (!definition) throw new TunewellError('ALGORITHM_SETTINGS_INVALID', `unknown algorithm "${request.algorithmName}"`)
  const { settings } = parseSettings(definition, request.settings)
  const trialCount = request.trialCount ?? request.trials.length
  const streams = trialRngs(request.seed, trialCount)
  const result = await definition.create(settings).suggest({
    space: request.space,
    direction: request.direction,
    trials: request.trials,
    trialCount,
    count: request.count,
    rng: streams.streamOf(trialCount),
    suggestionRng: (index) => streams.streamOf(trialCount + index),
    state: request.state,
  })
  const suggestions = result.suggestions.slice(0, request.count)
  return {
    suggestions,
    state: result.state ?? null,
    exhausted: result.exhausted === true || (suggestions.length < request.count && result.waiting !== true),
    ...(result.parents ? { parents: result.parents.slice(0, suggestions.length) } : {}),
  }
}
