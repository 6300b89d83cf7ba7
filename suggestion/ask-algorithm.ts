import { getAlgorithm, parseSettings } from '../algorithms/index.ts'
import { TunewellError } from '../core/errors.ts'
import { trialRngs } from '../core/rng.ts'
import { askNasAlgorithm } from './ask-nas-algorithm.ts'
import type { AskRequest, AskResult } from './ask-request.ts'

export type { AskRequest, AskResult } from './ask-request.ts'

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
    ...(request.directions ? { directions: request.directions } : {}),
    ...(request.constraintCount ? { constraintCount: request.constraintCount } : {}),
    trials: request.trials,
    trialCount,
    count: request.count,
    rng: streams.streamOf(trialCount),
    suggestionRng: (index) => streams.streamOf(trialCount + index),
    state: request.state,
    ...(request.priorTrials ? { priorTrials: request.priorTrials } : {}),
  })
  const suggestions = result.suggestions.slice(0, request.count)
  return {
    suggestions,
    state: result.state ?? null,
    exhausted: result.exhausted === true || (suggestions.length < request.count && result.waiting !== true),
    ...(result.parents ? { parents: result.parents.slice(0, suggestions.length) } : {}),
  }
}
