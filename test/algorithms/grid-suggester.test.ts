import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import { GridSuggester, gridAlgorithm } from '../../algorithms/grid/grid-suggester.ts'
import { gridAxis, gridPoints } from '../../algorithms/grid/grid-points.ts'
import { makeRequest, makeTrial, trialsFrom } from './make-trial.ts'

const SMALL: SearchSpace = [
  { name: 'opt', type: 'categorical', choices: ['sgd', 'adam'] },
  { name: 'n', type: 'int', min: 1, max: 3, distribution: 'uniform' },
]
const SMALL_ORDER: Params[] = [
  { opt: 'sgd', n: 1 }, { opt: 'sgd', n: 2 }, { opt: 'sgd', n: 3 },
  { opt: 'adam', n: 1 }, { opt: 'adam', n: 2 }, { opt: 'adam', n: 3 },
]
const suggest = (space: SearchSpace, count: number, trials: Parameters<typeof makeRequest>[1] = {}) =>
  new GridSuggester().suggest(makeRequest(space, { count, ...trials }))
const axisValues = (space: SearchSpace) => {
  const axis = gridAxis(space[0]!)!
  return Array.from({ length: axis.size }, (_, i) => axis.valueAt(i))
}

describe('grid values', () => {
  it('double: min, min+step … ≤ max, without float noise', () => {
    assert.deepEqual(axisValues([{ name: 'lr', type: 'double', min: 0.01, max: 0.05, step: 0.01, distribution: 'uniform' }]), [0.01, 0.02, 0.03, 0.04, 0.05])
    assert.deepEqual(axisValues([{ name: 'x', type: 'double', min: 0.1, max: 0.7, step: 0.1, distribution: 'uniform' }]), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    assert.deepEqual(axisValues([{ name: 'x', type: 'double', min: 0, max: 1, step: 0.3, distribution: 'uniform' }]), [0, 0.3, 0.6, 0.9])
  })

  it('int: min..max by step (default 1); lists: the list, repeats dropped', () => {
    assert.deepEqual(axisValues([{ name: 'n', type: 'int', min: 0, max: 10, step: 3, distribution: 'logUniform' }]), [0, 3, 6, 9])
    assert.deepEqual(axisValues([{ name: 'n', type: 'int', min: -1, max: 1, distribution: 'uniform' }]), [-1, 0, 1])
    assert.deepEqual(axisValues([{ name: 'd', type: 'discrete', choices: [0.5, 1, 0.5] }]), [0.5, 1])
    assert.deepEqual(axisValues([{ name: 'c', type: 'categorical', choices: ['b', 'a', 'b'] }]), ['b', 'a'])
  })

  it('a double without a step has no grid', () => {
    assert.equal(gridPoints([{ name: 'lr', type: 'double', min: 0, max: 1, distribution: 'uniform' }]), undefined)
  })
})

describe('GridSuggester', () => {
  it('enumerates the product with the first parameter slowest', () => {
    const result = suggest(SMALL, 6)
    assert.deepEqual(result.suggestions, SMALL_ORDER)
    assert.equal(result.exhausted, true)
  })

  it('skips points used by trials in any state, comparing by value', () => {
    const trials = [
      makeTrial(0, { opt: 'sgd', n: 1 }, { state: 'Failed' }),
      makeTrial(1, { opt: 'sgd', n: 3 }, { state: 'Running' }),
      makeTrial(2, { opt: 'adam', n: '1' }, { state: 'Succeeded' }),
    ]
    const result = suggest(SMALL, 2, { trials })
    assert.deepEqual(result.suggestions, [{ opt: 'sgd', n: 2 }, { opt: 'adam', n: 2 }])
    assert.equal(result.exhausted, false)
  })

  it('tolerates float noise in recorded values', () => {
    const space: SearchSpace = [{ name: 'lr', type: 'double', min: 0.01, max: 0.05, step: 0.01, distribution: 'uniform' }]
    const trials = trialsFrom([{ lr: 0.01 }, { lr: 0.01 + 0.01 + 0.01 }])
    assert.deepEqual(suggest(space, 2, { trials }).suggestions, [{ lr: 0.02 }, { lr: 0.04 }])
  })

  it('returns what remains and flags exhaustion once nothing is left after the batch', () => {
    const trials = trialsFrom(SMALL_ORDER.slice(0, 4))
    assert.deepEqual(suggest(SMALL, 5, { trials }), { suggestions: SMALL_ORDER.slice(4), exhausted: true })
    assert.deepEqual(suggest(SMALL, 2, { trials }), { suggestions: SMALL_ORDER.slice(4), exhausted: true })
    assert.deepEqual(suggest(SMALL, 1, { trials }), { suggestions: SMALL_ORDER.slice(4, 5), exhausted: false })
    assert.deepEqual(suggest(SMALL, 3, { trials: trialsFrom(SMALL_ORDER) }), { suggestions: [], exhausted: true })
    assert.deepEqual(suggest(SMALL, 0), { suggestions: [], exhausted: false })
  })

  it('an experiment driven batch by batch visits every point once, then ends', () => {
    const history: Params[] = []
    let exhausted = false
    for (let round = 0; round < 10 && !exhausted; round++) {
      const result = suggest(SMALL, 4, { trials: trialsFrom(history) })
      history.push(...result.suggestions)
      exhausted = result.exhausted === true
    }
    assert.deepEqual(history, SMALL_ORDER)
    assert.ok(exhausted)
  })

  it('walks a 10^30-point grid with many used points without materialising it', () => {
    const space: SearchSpace = Array.from({ length: 10 }, (_, i) => ({ name: `p${i}`, type: 'int' as const, min: 0, max: 999, distribution: 'uniform' as const }))
    assert.equal(gridPoints(space)!.size, 1e30)
    const first = suggest(space, 2000).suggestions
    // Materialising the grid would never end: the file's timeout is what catches that, not a time limit here.
    const result = suggest(space, 5, { trials: trialsFrom(first) })
    assert.deepEqual(result.suggestions.map((p) => [p['p8'], p['p9']]), [[2, 0], [2, 1], [2, 2], [2, 3], [2, 4]])
    assert.equal(result.exhausted, false)
    const oneHugeAxis: SearchSpace = [{ name: 'n', type: 'int', min: 0, max: 1e12, distribution: 'uniform' }]
    assert.deepEqual(suggest(oneHugeAxis, 2).suggestions, [{ n: 0 }, { n: 1 }])
  })
})

describe('grid check', () => {
  const budget = { maxTrialCount: 1000, parallelTrialCount: 3 }

  it('requires a step on doubles, naming the parameter', () => {
    const space: SearchSpace = [...SMALL, { name: 'lr', type: 'double', min: 0.01, max: 0.1, distribution: 'logUniform' }]
    assert.deepEqual(gridAlgorithm.check!(space, {}, budget), [
      { parameter: 'lr', field: '/feasibleSpace/step', message: 'grid needs feasibleSpace.step on double parameter "lr"' },
    ])
  })

  it('accepts maxTrialCount above the grid size: the run ends when the grid is used up', () => {
    assert.deepEqual(gridAlgorithm.check!(SMALL, {}, budget), [])
  })

  it('ignores distributions: a log distribution with min 0 is a fine grid', () => {
    assert.deepEqual(gridAlgorithm.check!([{ name: 'n', type: 'int', min: 0, max: 4, distribution: 'logUniform' }], {}, budget), [])
  })

  it('reports an empty grid on the parameter that empties it', () => {
    const empty = gridAlgorithm.check!([...SMALL, { name: 'c', type: 'categorical', choices: [] }], {}, budget)
    assert.deepEqual(empty.map((i) => [i.parameter, i.field]), [['c', '/feasibleSpace/list']])
    const inverted = gridAlgorithm.check!([{ name: 'n', type: 'int', min: 5, max: 1, distribution: 'uniform' }], {}, budget)
    assert.match(inverted[0]!.message, /min 5 > max 1/)
  })

  it('reports steps that cannot make a grid', () => {
    const issues = gridAlgorithm.check!([
      { name: 'a', type: 'double', min: 0, max: 1, step: 0, distribution: 'uniform' },
      { name: 'b', type: 'int', min: 0, max: 4, step: 1.5, distribution: 'uniform' },
    ], {}, budget)
    assert.deepEqual(issues.map((i) => i.message), [
      'feasibleSpace.step of parameter "a" must be a positive number, got 0',
      'feasibleSpace.step of int parameter "b" must be a whole number, got 1.5',
    ])
  })
})
