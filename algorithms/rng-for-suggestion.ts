import type { Rng } from '../core/rng.ts'
import type { SuggestRequest } from './suggester.ts'

/**
 * The stream an algorithm draws the `index`-th suggestion of `request` from: its trial number's
 * own stream when the caller provides per-trial streams (askAlgorithm always does), else the
 * call's shared `rng`.
 */
export function rngForSuggestion(request: Pick<SuggestRequest, 'rng' | 'suggestionRng'>, index: number): Rng {
  return request.suggestionRng?.(index) ?? request.rng
}
