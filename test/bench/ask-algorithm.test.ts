import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { RandomSuggester } from '../../algorithms/random/random-suggester.ts'
import { createRng, deriveSeed } from '../../core/rng.ts'
import type { SearchSpace } from '../../core/search-space.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'

const SPACE: SearchSpace = [
  { name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' },
  { name: 'k', type: 'categorical', choices: ['a', 'b'] },
]

// The benchmarks rely on askAlgorithm being exactly the service's call.
describe('askAlgorithm', () => {
  it('calls the suggester with one stream per trial number, derived from the seed and that number', async () => {
    const result = await askAlgorithm({ algorithmName: 'random', settings: [], space: SPACE, direction: 'minimize', trials: [], trialCount: 5, count: 3, seed: 42, state: undefined })
    const expected = [5, 6, 7].map((number) =>
      new RandomSuggester().suggest({ space: SPACE, direction: 'minimize', trials: [], count: 1, rng: createRng(deriveSeed(42, number)), state: undefined }).suggestions[0])
    assert.deepEqual(result.suggestions, expected)
    assert.equal(result.state, null)
    assert.equal(result.exhausted, false)
  })

  it('reports a finite space that runs dry as exhausted', async () => {
    const space: SearchSpace = [{ name: 'k', type: 'categorical', choices: ['a', 'b'] }]
    const result = await askAlgorithm({ algorithmName: 'grid', settings: [], space, direction: 'maximize', trials: [], count: 5, seed: 1, state: undefined })
    assert.equal(result.suggestions.length, 2)
    assert.equal(result.exhausted, true)
  })

  it('rejects an unknown algorithm', async () => {
    await assert.rejects(askAlgorithm({ algorithmName: 'nope', settings: [], space: SPACE, direction: 'minimize', trials: [], count: 1, seed: 0, state: undefined }), /unknown algorithm "nope"/)
  })
})
