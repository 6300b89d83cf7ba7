import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import { RandomSuggester, randomAlgorithm } from '../../algorithms/random/random-suggester.ts'
import { paramsKey } from '../../algorithms/params-key.ts'
import { sampleParams } from '../../algorithms/sample-parameter.ts'
import { seedFromSettings } from '../../algorithms/seed-from-settings.ts'
import { makeRequest, trialsFrom } from './make-trial.ts'

/** 2 × 3 = 6 points. */
const SMALL: SearchSpace = [
  { name: 'opt', type: 'categorical', choices: ['sgd', 'adam'] },
  { name: 'n', type: 'int', min: 1, max: 3, distribution: 'uniform' },
]
const ALL_SMALL: Params[] = ['sgd', 'adam'].flatMap((opt) => [1, 2, 3].map((n) => ({ opt, n })))
const SEEDS = Array.from({ length: 25 }, (_, i) => i + 1)
const keys = (space: SearchSpace, list: readonly Params[]) => list.map((p) => paramsKey(space, p))

describe('RandomSuggester', () => {
  it('without collisions suggests exactly the plain draws of the request stream', () => {
    const space: SearchSpace = [{ name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' }]
    const result = new RandomSuggester().suggest(makeRequest(space, { count: 3, seed: 8 }))
    const rng = createRng(8)
    assert.deepEqual(result.suggestions, [sampleParams(space, rng), sampleParams(space, rng), sampleParams(space, rng)])
    assert.equal(result.exhausted, undefined)
  })

  it('never repeats a point within a batch on a small space', () => {
    for (const seed of SEEDS) {
      const { suggestions } = new RandomSuggester().suggest(makeRequest(SMALL, { count: 6, seed }))
      assert.equal(new Set(keys(SMALL, suggestions)).size, 6, `seed ${seed}`)
    }
  })

  it('never repeats a point of an earlier trial, whatever its state', () => {
    for (const seed of SEEDS) {
      const trials = trialsFrom(ALL_SMALL.slice(0, 5), { state: seed % 2 ? 'Failed' : 'Running' })
      const { suggestions } = new RandomSuggester().suggest(makeRequest(SMALL, { trials, count: 1, seed }))
      assert.deepEqual(suggestions, [ALL_SMALL[5]], `seed ${seed}`)
    }
  })

  it('finds the one unused point even where the distribution rarely goes', () => {
    // normal over 0..20: P(0) ≈ 0.0014, so 32 draws almost surely miss it and the fallback must find it.
    const space: SearchSpace = [{ name: 'k', type: 'int', min: 0, max: 20, distribution: 'normal' }]
    const trials = trialsFrom(Array.from({ length: 20 }, (_, i) => ({ k: i + 1 })))
    for (const seed of SEEDS.slice(0, 5)) {
      assert.deepEqual(new RandomSuggester().suggest(makeRequest(space, { trials, count: 1, seed })).suggestions, [{ k: 0 }])
    }
  })

  it('repeats points only once every point is used, and does not hang', () => {
    for (const seed of SEEDS) {
      const { suggestions } = new RandomSuggester().suggest(makeRequest(SMALL, { count: 8, seed }))
      assert.equal(suggestions.length, 8)
      assert.equal(new Set(keys(SMALL, suggestions.slice(0, 6))).size, 6, `seed ${seed}: a repeat before the space was used up`)
    }
    const full = new RandomSuggester().suggest(makeRequest(SMALL, { trials: trialsFrom(ALL_SMALL), count: 3 }))
    assert.equal(full.suggestions.length, 3)
    assert.ok(full.suggestions.every((p) => keys(SMALL, ALL_SMALL).includes(paramsKey(SMALL, p))))
  })

  it('treats float noise and numeric strings in old trials as the same value', () => {
    const space: SearchSpace = [{ name: 'x', type: 'double', min: 0.1, max: 0.3, step: 0.1, distribution: 'uniform' }]
    const trials = trialsFrom([{ x: 0.1 }, { x: 0.30000000000000004 }])
    for (const seed of SEEDS.slice(0, 5)) {
      assert.deepEqual(new RandomSuggester().suggest(makeRequest(space, { trials, count: 1, seed })).suggestions, [{ x: 0.2 }])
    }
    assert.equal(paramsKey(space, { x: '0.2' }), paramsKey(space, { x: 0.2 }))
  })

  it('check reports log distributions with min ≤ 0 on the parameter', () => {
    const space: SearchSpace = [
      { name: 'ok', type: 'double', min: 1e-3, max: 1, distribution: 'logUniform' },
      { name: 'units', type: 'int', min: 0, max: 64, distribution: 'logNormal' },
    ]
    assert.deepEqual(randomAlgorithm.check!(space, {}, { parallelTrialCount: 1 }), [{
      parameter: 'units',
      field: '/feasibleSpace/min',
      message: 'parameter "units" has a logNormal distribution, which needs min > 0, got 0; raise min or use distribution uniform',
    }])
  })
})

describe('seedFromSettings', () => {
  it('returns random_state when set', () => {
    assert.equal(seedFromSettings({ random_state: 5 }), 5)
    assert.equal(seedFromSettings({ random_state: 0 }), 0)
    assert.equal(seedFromSettings({}), undefined)
    assert.equal(seedFromSettings({ random_state: 'x' }), undefined)
  })
})
