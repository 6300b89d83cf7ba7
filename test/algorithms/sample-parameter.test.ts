/**
 * Distribution checks draw N = 4000 values from a fixed seed. Each bound is 6 standard errors
 * wide, so for a random seed a correct sampler fails one of them with probability ~1e-8 (per
 * bound 2e-9); a wrong distribution (uniform instead of log, untruncated, endpoints at half
 * weight) misses by far more than the bound.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng } from '../../core/rng.ts'
import type { Parameter } from '../../core/search-space.ts'
import { sampleParameter, sampleParams } from '../../algorithms/sample-parameter.ts'

const N = 4000

function draw(p: Parameter, seed = 1): number[] {
  const rng = createRng(seed)
  return Array.from({ length: N }, () => sampleParameter(p, rng) as number)
}
const fraction = (xs: number[], predicate: (x: number) => boolean) => xs.filter(predicate).length / xs.length
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)))
/** Six standard errors of a proportion p estimated from N draws. */
const sixSigma = (p: number) => 6 * Math.sqrt((p * (1 - p)) / N)
function assertNear(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} not within ${tolerance} of ${expected}`)
}

describe('sampleParameter on doubles', () => {
  it('uniform stays in [min, max] and is spread evenly', () => {
    const xs = draw({ name: 'x', type: 'double', min: -2, max: 2, distribution: 'uniform' })
    assert.ok(xs.every((x) => x >= -2 && x <= 2))
    assertNear(fraction(xs, (x) => x < 0), 0.5, sixSigma(0.5), 'P(x < 0)')
  })

  it('logUniform has its median at the geometric mean and quartiles a decade apart', () => {
    const xs = draw({ name: 'lr', type: 'double', min: 1e-4, max: 1, distribution: 'logUniform' })
    assert.ok(xs.every((x) => x >= 1e-4 && x <= 1))
    assertNear(fraction(xs, (x) => x < 1e-2), 0.5, sixSigma(0.5), 'P(x < geometric mean)')
    assertNear(fraction(xs, (x) => x < 1e-3), 0.25, sixSigma(0.25), 'P(x < 1e-3)')
  })

  it('normal uses μ = (min+max)/2 and σ = (max−min)/6, truncated to the range', () => {
    const xs = draw({ name: 'm', type: 'double', min: 0, max: 6, distribution: 'normal' })
    assert.ok(xs.every((x) => x >= 0 && x <= 6))
    assertNear(mean(xs), 3, 6 / Math.sqrt(N), 'mean') // σ = 1
    // Truncation at ±3σ leaves σ ≈ 0.9865; the sample σ has standard error σ/√(2N).
    assertNear(std(xs), 0.9865, 6 / Math.sqrt(2 * N), 'std')
  })

  it('logNormal is normal in log space around the geometric centre', () => {
    const xs = draw({ name: 'w', type: 'double', min: 1e-3, max: 10, distribution: 'logNormal' })
    assert.ok(xs.every((x) => x >= 1e-3 && x <= 10))
    assertNear(fraction(xs, (x) => x < 0.1), 0.5, sixSigma(0.5), 'P(x < 0.1)')
    // [1e-2, 1] is ±1.5σ in log space: 86.6 % for logNormal, only 50 % for logUniform.
    assertNear(fraction(xs, (x) => x >= 1e-2 && x <= 1), 0.8664, sixSigma(0.8664), 'P(1e-2 ≤ x ≤ 1)')
  })

  it('a step gives every grid point equal weight, endpoints included, without float noise', () => {
    const xs = draw({ name: 'x', type: 'double', min: 0, max: 1, step: 0.1, distribution: 'uniform' })
    const grid = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]
    assert.deepEqual([...new Set(xs)].sort((a, b) => a - b), grid)
    for (const v of grid) assertNear(fraction(xs, (x) => x === v), 1 / 11, sixSigma(1 / 11), `P(${v})`)
  })

  it('a step that does not divide the range stops at the last point inside it', () => {
    const xs = draw({ name: 'x', type: 'double', min: 0, max: 1, step: 0.3, distribution: 'normal' })
    assert.deepEqual([...new Set(xs)].sort((a, b) => a - b), [0, 0.3, 0.6, 0.9])
  })

  it('returns min when min equals max, whatever the distribution', () => {
    for (const distribution of ['uniform', 'logUniform', 'normal', 'logNormal'] as const) {
      assert.equal(sampleParameter({ name: 'x', type: 'double', min: 0.5, max: 0.5, distribution }, createRng(1)), 0.5)
    }
  })

  it('refuses log distributions with min ≤ 0 and inverted ranges', () => {
    assert.throws(() => sampleParameter({ name: 'lr', type: 'double', min: 0, max: 1, distribution: 'logUniform' }, createRng(1)), /needs min > 0, got 0/)
    assert.throws(() => sampleParameter({ name: 'x', type: 'double', min: 2, max: 1, distribution: 'uniform' }, createRng(1)), /min 2 > max 1/)
  })
})

describe('sampleParameter on ints, lists', () => {
  it('int uniform covers min..max evenly', () => {
    const xs = draw({ name: 'n', type: 'int', min: 1, max: 5, distribution: 'uniform' })
    assert.deepEqual([...new Set(xs)].sort(), [1, 2, 3, 4, 5])
    for (let v = 1; v <= 5; v++) assertNear(fraction(xs, (x) => x === v), 0.2, sixSigma(0.2), `P(${v})`)
  })

  it('int logUniform gives each integer its log-space cell [v − ½, v + ½]', () => {
    const xs = draw({ name: 'n', type: 'int', min: 1, max: 1000, distribution: 'logUniform' })
    assert.ok(xs.every((x) => Number.isInteger(x) && x >= 1 && x <= 1000))
    const total = Math.log(1000.5 / 0.5)
    assertNear(fraction(xs, (x) => x === 1), Math.log(1.5 / 0.5) / total, sixSigma(0.1445), 'P(1)')
    assertNear(fraction(xs, (x) => x <= 31), Math.log(31.5 / 0.5) / total, sixSigma(0.545), 'P(≤ 31)')
  })

  it('int with a step and a normal distribution lands on min + k·step around the centre', () => {
    const xs = draw({ name: 'n', type: 'int', min: 0, max: 100, step: 10, distribution: 'normal' })
    assert.ok(xs.every((x) => x % 10 === 0 && x >= 0 && x <= 100))
    assertNear(mean(xs), 50, 6 * (100 / 6) / Math.sqrt(N), 'mean')
  })

  it('categorical and discrete choose uniformly and keep their value types', () => {
    const rng = createRng(3)
    const cats = Array.from({ length: N }, () => sampleParameter({ name: 'c', type: 'categorical', choices: ['a', 'b', 'c'] }, rng))
    for (const c of ['a', 'b', 'c']) assertNear(cats.filter((x) => x === c).length / N, 1 / 3, sixSigma(1 / 3), `P(${c})`)
    const discrete = sampleParameter({ name: 'd', type: 'discrete', choices: [0.5, 2] }, rng)
    assert.equal(typeof discrete, 'number')
    assert.throws(() => sampleParameter({ name: 'c', type: 'categorical', choices: [] }, rng), /no values/)
  })

  it('sampleParams fills every parameter in space order', () => {
    const params = sampleParams([
      { name: 'b', type: 'categorical', choices: ['x'] },
      { name: 'a', type: 'int', min: 3, max: 3, distribution: 'uniform' },
    ], createRng(1))
    assert.deepEqual(Object.entries(params), [['b', 'x'], ['a', 3]])
  })
})
