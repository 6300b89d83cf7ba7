import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng } from '../../core/rng.ts'
import type { SearchSpace } from '../../core/search-space.ts'
import { logGaussianMass, logUpperTail } from '../../algorithms/tpe/log-gaussian-mass.ts'
import { ParzenEstimator } from '../../algorithms/tpe/parzen-estimator.ts'
import { sortedOrder } from '../../algorithms/tpe/sorted-order.ts'
import { TpeSpace } from '../../algorithms/tpe/tpe-space.ts'

describe('log Gaussian masses', () => {
  // P(Z > x) from scipy.stats.norm.sf.
  const tails: readonly [number, number][] = [[0, 0.5], [1, 0.15865525393145707], [2.5, 0.006209665325776132], [5, 2.866515718791939e-7], [10, 7.61985302416047e-24], [-1.5, 0.9331927987311419]]

  it('matches the normal upper tail to 2e-7 relative, far tails included', () => {
    for (const [x, p] of tails) assert.ok(Math.abs(Math.exp(logUpperTail(x)) / p - 1) < 2e-7, `x = ${x}`)
    assert.ok(Number.isFinite(logUpperTail(60)) && logUpperTail(60) < -1500)
  })

  it('gives interval masses, whole-line 0, and splits the line into cells that add up to 1', () => {
    assert.ok(Math.abs(Math.exp(logGaussianMass(-1, 1)) - 0.6826894921370859) < 2e-7)
    assert.ok(Math.abs(Math.exp(logGaussianMass(1, 2.5)) - (0.15865525393145707 - 0.006209665325776132)) < 2e-7)
    assert.equal(logGaussianMass(-20, 20), 0)
    assert.equal(logGaussianMass(1, 1), -Infinity)
    for (const width of [1e-4, 0.003, 0.05, 0.37]) {
      let total = 0
      for (let a = -15; a < 15; a += width) total += Math.exp(logGaussianMass(a, a + width))
      assert.ok(Math.abs(total - 1) < 1e-6, `cells of ${width}: ${total}`)
    }
  })
})

describe('sorted order', () => {
  it('orders values ascending with ties in index order, small and large inputs alike', () => {
    const rng = createRng(3)
    for (const n of [0, 1, 5, 63, 64, 500, 3000]) {
      const values = Float64Array.from({ length: n }, () => Math.floor(rng.next() * 40) / 40)
      const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b)
      assert.deepEqual(Array.from(sortedOrder(values, 0, 1)), expected, `n = ${n}`)
    }
  })
})

describe('Parzen estimator', () => {
  const estimator = (space: SearchSpace, rows: readonly (readonly number[])[], priorWeight = 1): { model: TpeSpace; pe: ParzenEstimator } => {
    const model = new TpeSpace(space)
    const d = model.dimensions.length
    const points = new Float64Array(rows.length * d)
    rows.forEach((row, r) => points.set(row, r * d))
    const pe = new ParzenEstimator(model.dimensions, points, rows.length, new Float64Array(rows.length).fill(1), { priorWeight })
    return { model, pe }
  }
  const logPdfAt = (pe: ParzenEstimator, point: readonly number[]): number => {
    const out = new Float64Array(1)
    pe.logPdf(Float64Array.from(point), 1, out)
    return out[0]!
  }
  /** Midpoint rule over [low, high] with `steps` cells. */
  const integrate = (f: (x: number) => number, low: number, high: number, steps: number): number => {
    const h = (high - low) / steps
    let total = 0
    for (let i = 0; i < steps; i++) total += f(low + (i + 0.5) * h) * h
    return total
  }

  it('is a density over a 1-D range: it integrates to 1 and peaks at the observations', () => {
    const { pe } = estimator([{ name: 'x', type: 'double', min: -2, max: 3, distribution: 'uniform' }], [[0.1], [0.4], [2.9], [-1.95]])
    const total = integrate((x) => Math.exp(logPdfAt(pe, [x])), -2, 3, 20000)
    assert.ok(Math.abs(total - 1) < 1e-4, `integral ${total}`)
    assert.ok(logPdfAt(pe, [0.25]) > logPdfAt(pe, [1.5]))
  })

  it('models a log-scale parameter in log space, integrating to 1 over log x', () => {
    const { model, pe } = estimator([{ name: 'lr', type: 'double', min: 1e-5, max: 1, distribution: 'logUniform' }], [[Math.log(1e-3)], [Math.log(2e-3)]])
    const { low, high } = model.dimensions[0] as { low: number; high: number }
    assert.ok(Math.abs(low - Math.log(1e-5)) < 1e-12 && Math.abs(high - 0) < 1e-12)
    const total = integrate((u) => Math.exp(logPdfAt(pe, [u])), low, high, 20000)
    assert.ok(Math.abs(total - 1) < 1e-4, `integral ${total}`)
    // Kernels are symmetric in log space: a factor of 3 either side of 1.4e-3 looks alike.
    const centre = Math.log(Math.sqrt(2) * 1e-3)
    assert.ok(Math.abs(logPdfAt(pe, [centre + Math.log(3)]) - logPdfAt(pe, [centre - Math.log(3)])) < 0.05)
  })

  it('gives a step grid mass only on its points, summing to 1, and samples only grid points', () => {
    const space: SearchSpace = [{ name: 'units', type: 'int', min: 16, max: 512, step: 16, distribution: 'logUniform' }]
    const { model, pe } = estimator(space, [[Math.log(64)], [Math.log(80)], [Math.log(496)]])
    let total = 0
    for (let v = 16; v <= 512; v += 16) total += Math.exp(logPdfAt(pe, [Math.log(v)]))
    assert.ok(Math.abs(total - 1) < 1e-6, `grid mass ${total}`)
    const samples = new Float64Array(200)
    pe.sample(createRng(5), 200, (d, x) => model.snap(d, x), samples)
    for (const x of samples) {
      const v = Math.exp(x)
      assert.ok(Math.abs(v / 16 - Math.round(v / 16)) < 1e-9 && v > 16 - 1e-9 && v < 512 + 1e-9, `sampled ${v}`)
    }
    assert.ok(new Set(samples).size > 3)
  })

  it('is a joint density: product kernels over numeric and categorical dimensions sum and integrate to 1', () => {
    const space: SearchSpace = [
      { name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' },
      { name: 'c', type: 'categorical', choices: ['a', 'b', 'c'] },
      { name: 'n', type: 'int', min: 1, max: 4, distribution: 'uniform' },
    ]
    const { pe } = estimator(space, [[0.2, 0, 2], [0.8, 2, 4], [0.25, 0, 1]])
    let total = 0
    for (let c = 0; c < 3; c++) {
      for (let n = 1; n <= 4; n++) total += integrate((x) => Math.exp(logPdfAt(pe, [x, c, n])), 0, 1, 1000)
    }
    assert.ok(Math.abs(total - 1) < 1e-4, `total ${total}`)
    // Correlation survives: (0.2, a) was observed, (0.2, c) was not.
    assert.ok(logPdfAt(pe, [0.2, 0, 2]) > logPdfAt(pe, [0.2, 2, 2]) + 0.5)
  })

  it('falls back to the prior alone, and weights the prior by priorWeight', () => {
    const space: SearchSpace = [{ name: 'c', type: 'categorical', choices: ['a', 'b', 'c', 'd'] }]
    const empty = estimator(space, [])
    for (let c = 0; c < 4; c++) assert.ok(Math.abs(logPdfAt(empty.pe, [c]) - Math.log(0.25)) < 1e-12)
    const weak = estimator(space, [[1], [1]], 0.1)
    const strong = estimator(space, [[1], [1]], 10)
    assert.ok(logPdfAt(weak.pe, [1]) > logPdfAt(strong.pe, [1]))
    assert.ok(logPdfAt(weak.pe, [3]) < logPdfAt(strong.pe, [3]))
  })

  it('samples deterministically from the seed', () => {
    const space: SearchSpace = [{ name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' }, { name: 'c', type: 'categorical', choices: ['a', 'b'] }]
    const { model, pe } = estimator(space, [[0.3, 1], [0.6, 0]])
    const draw = (seed: number): number[] => {
      const out = new Float64Array(20)
      pe.sample(createRng(seed), 10, (d, x) => model.snap(d, x), out)
      return Array.from(out)
    }
    assert.deepEqual(draw(1), draw(1))
    assert.notDeepEqual(draw(1), draw(2))
  })
})
