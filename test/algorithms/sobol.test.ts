import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import { SOBOL_MAX_DIMENSIONS, sobolPoint } from '../../algorithms/sobol/sobol-sequence.ts'
import { parameterFromUnit, sobolAlgorithm, sobolShift } from '../../algorithms/sobol/sobol-suggester.ts'
import type { SuggestResult } from '../../algorithms/suggester.ts'
import { makeRequest, trialsFrom } from './make-trial.ts'

describe('sobol sequence', () => {
  it('starts with the standard unscrambled points', () => {
    const first = [0, 1, 2, 3].map((i) => sobolPoint(i, 2))
    assert.deepEqual(first, [[0, 0], [0.5, 0.5], [0.75, 0.25], [0.25, 0.75]])
    const further = [4, 5, 6, 7].map((i) => sobolPoint(i, 3))
    assert.deepEqual(further, [[0.375, 0.375, 0.625], [0.875, 0.875, 0.125], [0.625, 0.125, 0.875], [0.125, 0.625, 0.375]])
    // Point 8 and a high-dimensional coordinate (scipy qmc.Sobol(scramble=False), Joe–Kuo 6.21201).
    assert.deepEqual(sobolPoint(8, 3), [0.1875, 0.3125, 0.9375])
  })

  it('supports at least 40 dimensions, and rejects more than it has', () => {
    assert.ok(SOBOL_MAX_DIMENSIONS >= 40)
    assert.equal(sobolPoint(1, SOBOL_MAX_DIMENSIONS).length, SOBOL_MAX_DIMENSIONS)
    assert.throws(() => sobolPoint(0, SOBOL_MAX_DIMENSIONS + 1), RangeError)
    assert.throws(() => sobolPoint(-1, 2), RangeError)
  })

  const stratified = (shift?: readonly number[]): void => {
    const k = 6
    const n = 2 ** k
    const points = Array.from({ length: n }, (_, i) => sobolPoint(i, SOBOL_MAX_DIMENSIONS, shift))
    for (let d = 0; d < SOBOL_MAX_DIMENSIONS; d++) {
      const cells = new Set(points.map((p) => Math.floor(p[d]! * n)))
      assert.equal(cells.size, n, `dimension ${d + 1} misses a 1/${n} cell`)
    }
  }

  it('puts the first 2^k points one in each 1/2^k cell of every dimension', () => stratified())

  it('keeps that stratification after a digital shift, and moves the first point off the corner', () => {
    const shift = sobolShift(12345, SOBOL_MAX_DIMENSIONS)
    stratified(shift)
    const first = sobolPoint(0, SOBOL_MAX_DIMENSIONS, shift)
    assert.ok(first.some((x) => x !== 0) && first.some((x) => x !== 0.5))
    assert.ok(first.every((x) => x >= 0 && x < 1))
  })

  it('fills an 8×8 grid exactly evenly with 64 points in 2D, which random draws do not', () => {
    const deviation = (points: readonly (readonly number[])[]): number => {
      const counts = new Array<number>(64).fill(0)
      for (const [x, y] of points) counts[Math.floor(x! * 8) * 8 + Math.floor(y! * 8)]! += 1
      return Math.max(...counts.map((c) => Math.abs(c - 1)))
    }
    const sobol = Array.from({ length: 64 }, (_, i) => sobolPoint(i, 2))
    assert.equal(deviation(sobol), 0)
    assert.equal(deviation(Array.from({ length: 64 }, (_, i) => sobolPoint(i, 2, sobolShift(7, 2)))), 0)
    const rng = createRng(3)
    assert.ok(deviation(Array.from({ length: 64 }, () => [rng.next(), rng.next()])) > 0)
  })
})

describe('sobol parameter mapping', () => {
  it('maps linear, log, normal, stepped and categorical parameters', () => {
    assert.equal(parameterFromUnit({ name: 'x', type: 'double', min: -1, max: 3, distribution: 'uniform' }, 0.25), 0)
    assert.equal(parameterFromUnit({ name: 'x', type: 'double', min: 1e-4, max: 1, distribution: 'logUniform' }, 0.5), 0.01)
    const normal = { name: 'x', type: 'double', min: 0, max: 6, distribution: 'normal' } as const
    assert.ok(Math.abs((parameterFromUnit(normal, 0.5) as number) - 3) < 1e-9)
    assert.equal(parameterFromUnit(normal, 0), 0)
    assert.equal(parameterFromUnit(normal, 0.999999999), 6)
    const ints = { name: 'n', type: 'int', min: 1, max: 4, distribution: 'uniform' } as const
    assert.deepEqual([0, 0.24, 0.26, 0.5, 0.74, 0.76, 0.99].map((u) => parameterFromUnit(ints, u)), [1, 1, 2, 3, 3, 4, 4])
    const cat = { name: 'c', type: 'categorical', choices: ['a', 'b', 'c'] } as const
    assert.deepEqual([0, 0.34, 0.67, 0.999].map((u) => parameterFromUnit(cat, u)), ['a', 'b', 'c', 'c'])
  })
})

describe('sobol suggester', () => {
  const SPACE: SearchSpace = [
    { name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' },
    { name: 'y', type: 'double', min: 0, max: 1, distribution: 'uniform' },
  ]
  const suggest = (options: Parameters<typeof makeRequest>[1]): SuggestResult =>
    sobolAlgorithm.create({}).suggest(makeRequest(SPACE, options)) as SuggestResult

  it('is deterministic for the same seed, and scrambled differently for another', () => {
    assert.deepEqual(suggest({ count: 4, seed: 1 }), suggest({ count: 4, seed: 1 }))
    assert.notDeepEqual(suggest({ count: 4, seed: 1 }).suggestions, suggest({ count: 4, seed: 2 }).suggestions)
  })

  it('continues the same scrambled sequence across calls, whatever the later calls\' rng', () => {
    const all = suggest({ count: 8, seed: 1 })
    const first = suggest({ count: 3, seed: 1 })
    const trials = trialsFrom(first.suggestions, { state: 'Failed' })
    const second = suggest({ count: 5, seed: 99, trials, state: first.state })
    assert.deepEqual([...first.suggestions, ...second.suggestions], all.suggestions)
    assert.deepEqual(second.state, first.state)
  })

  it('gives a batch consecutive distinct points that stratify the square', () => {
    const { suggestions } = suggest({ count: 16, seed: 5 })
    const cellsOf = (key: 'x' | 'y'): Set<number> => new Set(suggestions.map((p: Params) => Math.floor((p[key] as number) * 16)))
    assert.equal(cellsOf('x').size, 16)
    assert.equal(cellsOf('y').size, 16)
  })

  it('rejects spaces with more parameters than it has dimensions', () => {
    const big: SearchSpace = Array.from({ length: SOBOL_MAX_DIMENSIONS + 1 }, (_, i) => ({ name: `p${i}`, type: 'double', min: 0, max: 1, distribution: 'uniform' }))
    const issues = sobolAlgorithm.check!(big, {}, { parallelTrialCount: 1 })
    assert.equal(issues.length, 1)
    assert.equal(issues[0]!.parameter, `p${SOBOL_MAX_DIMENSIONS}`)
  })
})
