import { getAlgorithm, parseSettings } from '../../algorithms/index.ts'
import type { Direction, RawSetting } from '../../algorithms/index.ts'
import { trialRngs } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'

export interface MultiObjectiveAsk {
  readonly algorithmName: string
  readonly settings: readonly RawSetting[]
  readonly space: SearchSpace
  readonly directions: readonly Direction[]
  readonly constraintCount: number
  readonly trials: readonly TrialSnapshot[]
  readonly count: number
  readonly seed: number
  readonly state: unknown
}

/**
 * One ask as suggestion/ask-algorithm.ts makes it (the same registry lookup, settings parsing
 * and per-trial streams), with the multi-objective fields of the suggest request that the
 * suggestion service sets for such an experiment: `directions` (`direction` is its first) and
 * `constraintCount` when there are constraints.
 */
export async function askMultiObjective(request: MultiObjectiveAsk): Promise<{ suggestions: readonly Params[]; state: unknown; exhausted: boolean }> {
  const definition = getAlgorithm(request.algorithmName)
  if (!definition) throw new Error(`unknown algorithm "${request.algorithmName}"`)
  const { settings } = parseSettings(definition, request.settings)
  const trialCount = request.trials.length
  const streams = trialRngs(request.seed, trialCount)
  const result = await definition.create(settings).suggest({
    space: request.space,
    direction: request.directions[0]!,
    directions: request.directions,
    ...(request.constraintCount > 0 ? { constraintCount: request.constraintCount } : {}),
    trials: request.trials,
    trialCount,
    count: request.count,
    rng: streams.streamOf(trialCount),
    suggestionRng: (index) => streams.streamOf(trialCount + index),
    state: request.state,
  })
  const suggestions = result.suggestions.slice(0, request.count)
  return { suggestions, state: result.state ?? null, exhausted: result.exhausted === true || (suggestions.length < request.count && result.waiting !== true) }
}
