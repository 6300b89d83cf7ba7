/**
 * The pieces of GP Bayesian optimisation, each against an independent reference: ml-matrix for
 * the linear algebra, finite differences for every analytic gradient, closed forms for the
 * normal functions, and known shapes for the fitted models.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CholeskyDecomposition, Matrix, inverse } from 'ml-matrix'
import { createRng } from '../../core/rng.ts'
import { acquisition } from '../../algorithms/gp/acquisition.ts'
import type { AcquisitionName } from '../../algorithms/gp/acquisition.ts'
import { appendCholeskyRow, choleskyInPlace, inverseFromCholesky, solveLowerInPlace, solveLowerTransposedInPlace } from '../../algorithms/gp/cholesky.ts'
import { fitHyperparameters } from '../../algorithms/gp/fit-hyperparameters.ts'
import { GaussianProcess, logMarginalLikelihood } from '../../algorithms/gp/gaussian-process.ts'
import type { GpHyperparameters } from '../../algorithms/gp/gaussian-process.ts'
import { hedgeProbabilities, pickHedge } from '../../algorithms/gp/gp-hedge.ts'
import { matern52, matern52GradientWrtInput, matern52GradientWrtLogParameters } from '../../algorithms/gp/matern52-kernel.ts'
import { minimizeInBox } from '../../algorithms/gp/minimize-in-box.ts'
import { erfcx, logExpectedImprovementFactor, logNormalCdf, normalCdf, normalPdf } from '../../algorithms/gp/normal-distribution.ts'
import { transformObjectives, yeoJohnson } from '../../algorithms/gp/output-transform.ts'
import { subsampleIndices } from '../../algorithms/gp/subsample-history.ts'

const close = (actual: number, expected: number, tolerance: number, what = ''): void => {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what} ${actual} vs ${expected} (tolerance ${tolerance})`)
}

/** Central finite difference of f at x along coordinate i. */
function finiteDifference(f: (x: number[]) => number, x: readonly number[], i: number, h = 1e-6): number {
  const plus = [...x]
  const minus = [...x]
  plus[i]! += h
  minus[i]! -= h
  return (f(plus) - f(minus)) / (2 * h)
}

function randomSpd(n: number, seed: number): Float64Array {
  const rng = createRng(seed)
  const b = Array.from({ length: n * n }, () => rng.normal())
  const k = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0
      for (let t = 0; t < n; t++) s += b[i * n + t]! * b[j * n + t]!
      k[i * n + j] = s
    }
  }
  return k
}

function toMatrix(a: Float64Array, n: number): Matrix {
  return new Matrix(Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n))))
}

describe('cholesky', () => {
  it('matches ml-matrix: factor, solves and inverse', () => {
    for (const n of [1, 2, 7, 23]) {
      const k = randomSpd(n, n)
      const l = k.slice()
      assert.ok(choleskyInPlace(l, n))
      const reference = new CholeskyDecomposition(toMatrix(k, n)).lowerTriangularMatrix
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) close(l[i * n + j]!, reference.get(i, j), 1e-10, `L[${i},${j}]`)
      const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1))
      const x = b.slice()
      solveLowerInPlace(l, n, x)
      solveLowerTransposedInPlace(l, n, x)
      const expected = inverse(toMatrix(k, n)).mmul(Matrix.columnVector(Array.from(b)))
      for (let i = 0; i < n; i++) close(x[i]!, expected.get(i, 0), 1e-9, `x[${i}]`)
      const inv = inverseFromCholesky(l, n)
      const referenceInverse = inverse(toMatrix(k, n))
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) close(inv[i * n + j]!, referenceInverse.get(i, j), 1e-9, `inv[${i},${j}]`)
    }
  })

  it('refuses a matrix that is not positive definite', () => {
    assert.equal(choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2), false)
  })

  it('extends a factor by one row to the factor of the bordered matrix', () => {
    const n = 9
    const k = randomSpd(n + 1, 3)
    const stride = n + 1
    const grown = new Float64Array(stride * stride)
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) grown[i * stride + j] = k[i * stride + j]!
    assert.ok(choleskyInPlace(grown, n, stride))
    assert.ok(appendCholeskyRow(grown, n, Array.from({ length: n + 1 }, (_, j) => k[n * stride + j]!), stride))
    const full = k.slice()
    assert.ok(choleskyInPlace(full, n + 1))
    for (let i = 0; i <= n; i++) for (let j = 0; j <= i; j++) close(grown[i * stride + j]!, full[i * stride + j]!, 1e-10)
  })
})

describe('normal functions', () => {
  it('erfcx and Φ match reference values', () => {
    // erfc(x) from tables (Abramowitz & Stegun 7.1), and e^{x²}erfc(x) asymptotics.
    close(erfcx(0), 1, 1e-15)
    close(erfcx(1) * Math.exp(-1), 0.15729920705028513, 1e-14)
    close(erfcx(5) * Math.exp(-25), 1.5374597944280349e-12, 1e-13)
    close(erfcx(100), 0.005641613782989433, 1e-13)
    close(normalCdf(1.96), 0.9750021048517795, 1e-14)
    close(normalCdf(-8), 6.22096057427178e-16, 1e-12)
  })

  it('log Φ stays finite and accurate in the far tail, with the right derivative', () => {
    const { value } = logNormalCdf(-40)
    // log Φ(z) ≈ −z²/2 − log(−z√(2π)) − 1/z² for z → −∞.
    close(value, -800 - Math.log(40 * Math.sqrt(2 * Math.PI)) - 1 / 1600, 1e-8)
    for (const z of [-30, -3, -0.5, 0, 0.7, 4]) {
      close(logNormalCdf(z).derivative, finiteDifference((v) => logNormalCdf(v[0]!).value, [z], 0, 1e-5), 1e-6, `z=${z}`)
    }
  })

  it('log h(z) matches φ(z) + zΦ(z) where that is accurate, stays finite beyond, and has the right derivative', () => {
    for (const z of [-6, -2, -0.3, 0, 0.4, 3]) close(logExpectedImprovementFactor(z).value, Math.log(normalPdf(z) + z * normalCdf(z)), 1e-10, `z=${z}`)
    // Continuous across the switch to the asymptotic series, and finite at −10⁶.
    close(logExpectedImprovementFactor(-999.999).value, logExpectedImprovementFactor(-1000.001).value, 1e-5)
    assert.ok(Number.isFinite(logExpectedImprovementFactor(-1e6).value))
    for (const z of [-50, -5, -1, 0.5, 2]) {
      const h = logExpectedImprovementFactor(z)
      close(h.cdfRatio, finiteDifference((v) => logExpectedImprovementFactor(v[0]!).value, [z], 0, 1e-5), 1e-6, `z=${z}`)
    }
  })
})

describe('matern52 kernel', () => {
  const params = { lengthscales: [0.3, 1.7, 0.8], signalVariance: 2.5 }
  const a = [0.2, 0.9, 0.4]
  const b = [0.5, 0.1, 0.45]

  it('is σ² at distance 0 and decreases with distance', () => {
    close(matern52(a, a, params), 2.5, 1e-15)
    assert.ok(matern52(a, b, params) < 2.5)
    assert.ok(matern52(a, [0.25, 0.9, 0.4], params) > matern52(a, [0.4, 0.9, 0.4], params))
  })

  it('has input gradients that match finite differences', () => {
    const gradient = new Float64Array(3)
    matern52GradientWrtInput(a, b, params, gradient)
    for (let j = 0; j < 3; j++) close(gradient[j]!, finiteDifference((x) => matern52(x, b, params), a, j), 1e-7, `∂/∂a${j}`)
    // At zero distance the gradient is 0, not NaN.
    matern52GradientWrtInput(a, a, params, gradient)
    assert.ok(gradient.every((v) => v === 0), Array.from(gradient).join(', '))
  })

  it('has log-hyperparameter gradients that match finite differences', () => {
    const gradient = new Float64Array(4)
    matern52GradientWrtLogParameters(a, b, params, gradient)
    const asFunction = (theta: number[]): number => matern52(a, b, { lengthscales: theta.slice(0, 3).map(Math.exp), signalVariance: Math.exp(theta[3]!) })
    const theta = [...params.lengthscales.map(Math.log), Math.log(params.signalVariance)]
    for (let i = 0; i < 4; i++) close(gradient[i]!, finiteDifference(asFunction, theta, i), 1e-7, `∂/∂θ${i}`)
  })
})

/** n random points in [0,1]^d and f at them. */
function sampleData(n: number, d: number, f: (x: number[]) => number, seed: number): { x: Float64Array; y: Float64Array; points: number[][] } {
  const rng = createRng(seed)
  const points = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.next()))
  return { x: Float64Array.from(points.flat()), y: Float64Array.from(points.map(f)), points }
}

describe('gaussian process', () => {
  const d = 2
  const f = (p: number[]): number => Math.sin(5 * p[0]!) + Math.cos(3 * p[1]!)
  const data = sampleData(15, d, f, 4)
  const hyper: GpHyperparameters = { lengthscales: [0.4, 0.6], signalVariance: 1.3, noiseVariance: 1e-8 }
  const gp = GaussianProcess.fit(data.x, 15, d, data.y, hyper, 2)

  it('interpolates noise-free training points with near-zero variance there', () => {
    data.points.forEach((p, i) => {
      const { mean, variance } = gp.predict(p)
      close(mean, data.y[i]!, 1e-5, `mean at point ${i}`)
      assert.ok(variance < 1e-6, `variance ${variance} at point ${i}`)
    })
  })

  it('grows its variance away from the data, up to the prior variance', () => {
    const at = data.points[0]!
    const variances = [0.01, 0.05, 0.2].map((step) => gp.predict([at[0]! + step, at[1]!]).variance)
    assert.ok(variances[0]! < variances[1]! && variances[1]! < variances[2]!, variances.join(' < '))
    const far = GaussianProcess.fit(data.x, 15, d, data.y, { ...hyper, lengthscales: [0.01, 0.01] }).predict([0.123, 0.456])
    close(far.variance, hyper.signalVariance, 1e-6)
    close(far.mean, 0, 1e-6)
  })

  it('has mean and variance gradients that match finite differences', () => {
    const meanGradient = new Float64Array(d)
    const varianceGradient = new Float64Array(d)
    const x = [0.37, 0.61]
    gp.predictWithGradient(x, meanGradient, varianceGradient)
    for (let j = 0; j < d; j++) {
      close(meanGradient[j]!, finiteDifference((p) => gp.predict(p).mean, x, j), 1e-6, `∂μ/∂x${j}`)
      close(varianceGradient[j]!, finiteDifference((p) => gp.predict(p).variance, x, j), 1e-6, `∂σ²/∂x${j}`)
    }
  })

  it('conditions on one more point exactly as a refit would', () => {
    const extra = sampleData(1, d, f, 99)
    const grown = GaussianProcess.fit(data.x, 15, d, data.y, hyper, 1)
    assert.ok(grown.condition(extra.points[0]!, extra.y[0]!))
    const refit = GaussianProcess.fit(Float64Array.from([...data.x, ...extra.x]), 16, d, Float64Array.from([...data.y, ...extra.y]), hyper)
    for (const p of [[0.1, 0.2], [0.8, 0.5], extra.points[0]!]) {
      close(grown.predict(p).mean, refit.predict(p).mean, 1e-7)
      close(grown.predict(p).variance, refit.predict(p).variance, 1e-7)
    }
    assert.equal(grown.condition([0.5, 0.5], 0), false, 'no capacity left')
  })

  it('has a log marginal likelihood gradient that matches finite differences', () => {
    const noisy = { lengthscales: [0.35, 0.9], signalVariance: 0.8, noiseVariance: 0.01 }
    const gradient = new Float64Array(d + 2)
    logMarginalLikelihood(data.x, 15, d, data.y, noisy, gradient)
    const asFunction = (theta: number[]): number =>
      logMarginalLikelihood(data.x, 15, d, data.y, { lengthscales: theta.slice(0, d).map(Math.exp), signalVariance: Math.exp(theta[d]!), noiseVariance: Math.exp(theta[d + 1]!) })
    const theta = [...noisy.lengthscales.map(Math.log), Math.log(noisy.signalVariance), Math.log(noisy.noiseVariance)]
    for (let i = 0; i < d + 2; i++) close(gradient[i]!, finiteDifference(asFunction, theta, i, 1e-5), 1e-5, `∂/∂θ${i}`)
  })

  it('fits a short length scale to a wiggly function and a long one to a smooth one', () => {
    const fit = (g: (x: number[]) => number): number => {
      const { x, y } = sampleData(30, 1, g, 8)
      const mean = y.reduce((a, b) => a + b, 0) / y.length
      const sd = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length)
      return fitHyperparameters(x, 30, 1, y.map((v) => (v - mean) / sd), { rng: createRng(1) }).lengthscales[0]!
    }
    const wiggly = fit((p) => Math.sin(25 * p[0]!))
    const smooth = fit((p) => 0.3 * p[0]! + 0.1 * p[0]! ** 2)
    // sin(25x) has period 0.25: a length scale much beyond that cannot fit it.
    assert.ok(wiggly < 0.25, `wiggly length scale ${wiggly}`)
    assert.ok(smooth > 1 && smooth > 5 * wiggly, `smooth length scale ${smooth}`)
  })

  it('gives an irrelevant input a longer length scale than a relevant one', () => {
    const { x, y } = sampleData(40, 2, (p) => Math.sin(6 * p[0]!), 12)
    const hyperparameters = fitHyperparameters(x, 40, 2, y, { rng: createRng(2) })
    assert.ok(hyperparameters.lengthscales[1]! > 2 * hyperparameters.lengthscales[0]!, hyperparameters.lengthscales.join(', '))
  })
})

describe('acquisition functions', () => {
  const settings = { best: -1, xi: 0.01, kappa: 1.96 }
  const expectedImprovement = (mean: number, sd: number): number => {
    const z = (settings.best - settings.xi - mean) / sd
    return sd * (z * normalCdf(z) + normalPdf(z))
  }

  it('EI is the closed form (Jones et al. 1998), hence ≥ 0, and higher where the mean is lower', () => {
    for (const [mean, sd] of [[-1.5, 0.3], [0, 1], [2, 0.5], [-1, 0.01]] as const) {
      const value = Math.exp(acquisition('EI', mean, sd, settings).value)
      close(value, expectedImprovement(mean, sd), 1e-10, `EI(${mean}, ${sd})`)
      assert.ok(value >= 0)
    }
    for (const name of ['EI', 'PI', 'LCB'] as const) {
      assert.ok(acquisition(name, -0.5, 0.4, settings).value > acquisition(name, 0.5, 0.4, settings).value, name)
    }
    // Far below the incumbent EI underflows; log EI still ranks the points.
    assert.ok(expectedImprovement(40, 1) === 0)
    assert.ok(acquisition('EI', 40, 1, settings).value > acquisition('EI', 41, 1, settings).value)
  })

  it('more uncertainty is worth more to EI and LCB at equal mean', () => {
    for (const name of ['EI', 'LCB'] as const) assert.ok(acquisition(name, 0, 1, settings).value > acquisition(name, 0, 0.5, settings).value, name)
  })

  it('has ∂/∂μ and ∂/∂σ that match finite differences', () => {
    for (const name of ['EI', 'PI', 'LCB'] as AcquisitionName[]) {
      for (const [mean, sd] of [[-1.2, 0.3], [0.5, 1.1], [6, 0.2]] as const) {
        const a = acquisition(name, mean, sd, settings)
        close(a.dMean, finiteDifference((v) => acquisition(name, v[0]!, sd, settings).value, [mean], 0, 1e-6), 1e-5, `${name} ∂μ`)
        close(a.dSd, finiteDifference((v) => acquisition(name, mean, v[0]!, settings).value, [sd], 0, 1e-6), 1e-5, `${name} ∂σ`)
      }
    }
  })
})

describe('minimizeInBox', () => {
  it('finds the minimum of the Rosenbrock function inside the box', () => {
    const rosenbrock = (x: Float64Array, g: Float64Array): number => {
      const [a, b] = [x[0]!, x[1]!]
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a)
      g[1] = 200 * (b - a * a)
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2
    }
    const result = minimizeInBox(rosenbrock, [-1.2, 1], [-2, -2], [2, 2], { maxIterations: 200, relativeTolerance: 0 })
    close(result.x[0]!, 1, 1e-4)
    close(result.x[1]!, 1, 1e-4)
  })

  it('stops at the bound when the unconstrained minimum lies outside the box', () => {
    const bowl = (x: Float64Array, g: Float64Array): number => {
      g[0] = 2 * (x[0]! - 3)
      g[1] = 2 * (x[1]! - 0.5)
      return (x[0]! - 3) ** 2 + (x[1]! - 0.5) ** 2
    }
    const result = minimizeInBox(bowl, [0.2, 0.9], [0, 0], [1, 1], { maxIterations: 50 })
    assert.equal(result.x[0], 1)
    close(result.x[1]!, 0.5, 1e-6)
  })
})

describe('output transform', () => {
  it('is monotone and standardised', () => {
    const y = [3, 1e5, 12, 0.5, 400, 7e3, 2]
    const { values } = transformObjectives(y)
    const order = (v: ArrayLike<number>): number[] => Array.from(v, (_, i) => i).sort((a, b) => v[a]! - v[b]!)
    assert.deepEqual(order(values), order(y))
    close(values.reduce((a, b) => a + b, 0) / values.length, 0, 1e-12)
    close(Math.sqrt(values.reduce((a, b) => a + b * b, 0) / values.length), 1, 1e-12)
  })

  it('compresses a heavy right tail (λ < 1) and leaves symmetric data nearly alone', () => {
    const rng = createRng(5)
    const heavy = Array.from({ length: 60 }, () => Math.exp(3 * rng.normal()))
    assert.ok(transformObjectives(heavy).lambda < 0.7, `λ = ${transformObjectives(heavy).lambda}`)
    const symmetric = Array.from({ length: 200 }, () => rng.normal())
    close(transformObjectives(symmetric).lambda, 1, 0.25)
  })

  it('survives constant and tiny inputs', () => {
    assert.deepEqual(Array.from(transformObjectives([4, 4, 4]).values), [0, 0, 0])
    assert.deepEqual(Array.from(transformObjectives([1]).values), [0])
    close(yeoJohnson(-0.5, 2), -Math.log1p(0.5), 1e-15)
  })
})

describe('gp_hedge', () => {
  it('selects by softmax of the gains without overflow', () => {
    const p = hedgeProbabilities([1000, 1000, 990], 1)
    close(p[0]!, p[1]!, 1e-12)
    assert.ok(p[2]! < 1e-4)
    close(p.reduce((a, b) => a + b, 0), 1, 1e-12)
    const rng = createRng(3)
    const counts = [0, 0, 0]
    for (let i = 0; i < 3000; i++) counts[pickHedge([0, Math.log(2), 0], rng, 1)]! += 1
    // Probabilities 1/4, 1/2, 1/4.
    close(counts[1]! / 3000, 0.5, 0.05)
    close(counts[0]! / 3000, 0.25, 0.05)
  })
})

describe('subsampleIndices', () => {
  it('keeps everything under the limit, and the best quarter plus a seeded sample above it', () => {
    assert.deepEqual(subsampleIndices([3, 1, 2], 5, createRng(1)), [0, 1, 2])
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000)
    const kept = subsampleIndices(values, 100, createRng(1))
    assert.equal(kept.length, 100)
    assert.equal(new Set(kept).size, 100)
    for (let v = 0; v < 25; v++) assert.ok(kept.includes(values.indexOf(v)), `value ${v} kept`)
    assert.deepEqual(kept, subsampleIndices(values, 100, createRng(1)))
    assert.notDeepEqual(kept, subsampleIndices(values, 100, createRng(2)))
  })
})
