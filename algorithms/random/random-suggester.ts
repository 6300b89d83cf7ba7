/**
 * Random search (Bergstra & Bengio, "Random Search for Hyper-Parameter Optimization", JMLR 2012),
 * as Katib's `random` (hyperopt `rand.suggest`); distributions as in `sample-parameter.ts`.
 *
 * Deviation from Katib: hyperopt happily repeats a parameter set (kubeflow/katib#1566), which on
 * small int/categorical spaces wastes trials. We redraw a value set already used by any trial
 * (any state: rerunning a failed point rarely helps) or earlier in the batch, up to MAX_DRAWS
 * times. If every draw collides on a finite space, we pick uniformly among the unused points
 * (this favours points the distribution makes rare, e.g. normal tails, but only once the likely
 * ones are spent). Only when every point is used do we repeat, rather than loop forever.
 * A space with a continuous double (no step) cannot realistically repeat a 15-digit point, so
 * there we skip keying the whole history on every call: that kept random search linear in
 * the number of trials (4.6 ms per ask at 1,000 trials) for nothing.
 *
 * Seeding: trial n draws from its own stream (the seed and n, `rngForSuggestion`) and avoids
 * the points of trials 0..n−1, which it sees in the history or earlier in the batch alike, so
 * the same `random_state` gives trial n the same parameters however the trials were batched
 * (hyperopt draws a batch from one stream).
 */
import type { Rng } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { AlgorithmDefinition } from '../algorithm-definition.ts'
import { gridPoints } from '../grid/grid-points.ts'
import { paramsKey } from '../params-key.ts'
import { rngForSuggestion } from '../rng-for-suggestion.ts'
import { sampleParams } from '../sample-parameter.ts'
import { samplingSpaceIssues } from '../sampling-space-issues.ts'
import type { SuggestRequest, SuggestResult, Suggester } from '../suggester.ts'
import { randomStateSetting } from '../seed-from-settings.ts'

const MAX_DRAWS = 32
// Past this many points, 32 colliding draws mean the space is nearly full of trials anyway.
const ENUMERATION_LIMIT = 100_000

export type RandomSettings = { readonly random_state?: number }

export class RandomSuggester implements Suggester {
  suggest(request: SuggestRequest): SuggestResult {
    const { space } = request
    const finite = gridPoints(space) !== undefined
    const used = new Set(finite ? request.trials.map((t) => paramsKey(space, t.params)) : [])
    const suggestions: Params[] = []
    for (let i = 0; i < request.count; i++) {
      const params = drawUnused(space, rngForSuggestion(request, i), used)
      used.add(paramsKey(space, params))
      suggestions.push(params)
    }
    return { suggestions }
  }
}

function drawUnused(space: SearchSpace, rng: Rng, used: ReadonlySet<string>): Params {
  let params: Params = {}
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    params = sampleParams(space, rng)
    if (!used.has(paramsKey(space, params))) return params
  }
  return pickUnusedPoint(space, rng, used) ?? params
}

function pickUnusedPoint(space: SearchSpace, rng: Rng, used: ReadonlySet<string>): Params | undefined {
  const grid = gridPoints(space)
  if (!grid || grid.size > ENUMERATION_LIMIT) return undefined
  const unused: number[] = []
  for (let index = 0; index < grid.size; index++) {
    if (!used.has(paramsKey(space, grid.pointAt(index)))) unused.push(index)
  }
  return unused.length === 0 ? undefined : grid.pointAt(unused[rng.int(unused.length)]!)
}

export const randomAlgorithm: AlgorithmDefinition<RandomSettings> = {
  name: 'random',
  // It never reads objectives, so any number of them is fine.
  multiObjective: true,
  description: 'Independent random draws from each parameter\'s distribution, without repeating a tried point.',
  settings: [randomStateSetting('Seed of the experiment; the same spec and random_state give the same trials.')],
  check: (space) => samplingSpaceIssues(space),
  create: () => new RandomSuggester(),
  // Only finite spaces are keyed against the tried points (see the header).
  usesHistory: (space) => gridPoints(space) !== undefined,
}
