/**
 * `random_state` reproducibility must not depend on batching: the service asks for as many
 * trials at once as there are free slots, which varies with parallelTrialCount, crashes and
 * resumes, and ask/tell workers asking ahead. Every algorithm here is asked for the same 12
 * trials split in different ways, through askAlgorithm exactly as SuggestionService asks
 * (history only where the algorithm reads it, created trials fed back as Pending, state
 * through JSON), and must give each trial number the same parameters.
 *
 * Model-based algorithms are held in their random (startup) phase: nothing has finished, so
 * TPE has no model, the GP stays in its initial design, CMA-ES in its first generation,
 * hyperband in rung 0 of its brackets and PBT in its initial population. Once results arrive
 * their suggestions follow the history, which itself depends on timing.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { algorithmUsesHistory } from '../../algorithms/index.ts'
import type { RawSetting } from '../../algorithms/index.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import { makeTrial } from './make-trial.ts'

const SEED = 20240917
const TOTAL = 12
const SPLITS: readonly (readonly number[])[] = [
  Array.from({ length: TOTAL }, () => 1),
  [5, 7],
  [TOTAL],
  [3, 1, 4, 4],
]

/** Mixed kinds with a continuous double, so random search does not key the history. */
const MIXED: SearchSpace = [
  { name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' },
  { name: 'lr', type: 'double', min: 1e-4, max: 1e-1, distribution: 'logUniform' },
  { name: 'units', type: 'int', min: 1, max: 64, distribution: 'uniform' },
  { name: 'optimizer', type: 'categorical', choices: ['sgd', 'adam', 'ftrl'] },
]

/** Exactly 12 points: random search must use each once, drawn and deduplicated per trial number. */
const TWELVE_POINTS: SearchSpace = [
  { name: 'layers', type: 'int', min: 1, max: 4, distribution: 'uniform' },
  { name: 'optimizer', type: 'categorical', choices: ['sgd', 'adam', 'ftrl'] },
]

const WITH_EPOCHS: SearchSpace = [...MIXED, { name: 'epochs', type: 'int', min: 1, max: 9, distribution: 'uniform' }]

const setting = (values: Record<string, string>): RawSetting[] => Object.entries(values).map(([name, value]) => ({ name, value }))

const CASES: readonly { name: string; algorithm: string; space: SearchSpace; settings?: RawSetting[] }[] = [
  { name: 'random', algorithm: 'random', space: MIXED },
  { name: 'random on a 12-point space', algorithm: 'random', space: TWELVE_POINTS },
  { name: 'sobol', algorithm: 'sobol', space: MIXED },
  { name: 'grid', algorithm: 'grid', space: TWELVE_POINTS },
  { name: 'tpe (startup)', algorithm: 'tpe', space: MIXED },
  { name: 'tpe (startup) on a 12-point space', algorithm: 'tpe', space: TWELVE_POINTS },
  { name: 'multivariate-tpe (startup)', algorithm: 'multivariate-tpe', space: MIXED },
  { name: 'bayesianoptimization (initial design)', algorithm: 'bayesianoptimization', space: MIXED },
  { name: 'cmaes (first generation and beyond λ)', algorithm: 'cmaes', space: MIXED },
  { name: 'hyperband (rung 0 of the first brackets, nothing finished)', algorithm: 'hyperband', space: WITH_EPOCHS, settings: setting({ r_l: '9', eta: '3', resource_name: 'epochs' }) },
  { name: 'hyperband with sampler tpe (rung 0, nothing finished)', algorithm: 'hyperband', space: WITH_EPOCHS, settings: setting({ r_l: '9', eta: '3', resource_name: 'epochs', sampler: 'tpe' }) },
  { name: 'pbt (initial population)', algorithm: 'pbt', space: MIXED, settings: setting({ n_population: '12' }) },
]

/** The parameters of trials 0..TOTAL−1 when asked in batches of `split`, as the service asks. */
async function askInBatches(algorithm: string, space: SearchSpace, settings: readonly RawSetting[], split: readonly number[]): Promise<Params[]> {
  const created: TrialSnapshot[] = []
  const usesHistory = algorithmUsesHistory(algorithm, space)
  let state: unknown
  for (const count of split) {
    const result = await askAlgorithm({
      algorithmName: algorithm,
      settings: [...settings, { name: 'random_state', value: String(SEED) }],
      space,
      direction: 'minimize',
      trials: usesHistory ? created : [],
      trialCount: created.length,
      count,
      seed: SEED,
      state,
    })
    assert.equal(result.suggestions.length, count, `${algorithm}: a batch of ${count} at trial ${created.length}`)
    state = JSON.parse(JSON.stringify(result.state))
    for (const params of result.suggestions) created.push(makeTrial(created.length, params, { state: 'Pending' }))
  }
  return created.map((t) => t.params)
}

describe('the same seed gives each trial number the same parameters however the trials are batched', () => {
  for (const { name, algorithm, space, settings = [] } of CASES) {
    it(name, async () => {
      const [reference, ...others] = await Promise.all(SPLITS.map((split) => askInBatches(algorithm, space, settings, split)))
      others.forEach((params, k) => {
        params.forEach((p, number) => assert.deepEqual(p, reference![number], `trial ${number}, batches ${SPLITS[k + 1]!.join('+')} against one at a time`))
      })
      // Not a constant sequence, so the comparison means something.
      assert.ok(new Set(reference!.map((p) => JSON.stringify(p))).size > 1)
    })
  }

  it('random search on a 12-point space still uses each point once', async () => {
    const params = await askInBatches('random', TWELVE_POINTS, [], [5, 7])
    assert.equal(new Set(params.map((p) => JSON.stringify(p))).size, TOTAL)
  })

  it('another seed gives other parameters', async () => {
    const draw = (seed: number) => askAlgorithm({ algorithmName: 'random', settings: [], space: MIXED, direction: 'minimize', trials: [], trialCount: 0, count: 3, seed, state: undefined })
    assert.notDeepEqual((await draw(1)).suggestions, (await draw(2)).suggestions)
  })
})
