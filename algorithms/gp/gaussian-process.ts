/**
 * Exact Gaussian-process regression with a zero prior mean, a Matérn 5/2 ARD kernel and
 * Gaussian observation noise: Rasmussen & Williams, "Gaussian Processes for Machine Learning",
 * MIT Press 2006, Algorithm 2.1 (posterior by Cholesky) and §5.4.1 eq. 5.8–5.9 (log marginal
 * likelihood and its gradient). Callers standardise the outputs, so a zero mean is the mean of
 * what has been seen.
 *
 * Inputs are stored divided by their length scales, which turns every kernel evaluation into a
 * plain Euclidean distance. Predictions are of the latent function (no noise added): the
 * acquisition functions ask what the objective is, not what the next measurement will read.
 *
 * A small jitter (JITTER·σ², raised tenfold while the factorisation fails) is added to the
 * diagonal on top of the noise, so that near-duplicate inputs, which a noise-free objective
 * and a tiny fitted noise make common, never break the Cholesky factorisation.
 */
import { appendCholeskyRow, choleskyInPlace, dot, invertLowerTransposed, solveLowerInPlace, solveLowerTransposedInPlace } from './cholesky.ts'
import { SQRT5, matern52Correlation, matern52GradientFactor } from './matern52-kernel.ts'

export interface GpHyperparameters {
  /** One per input dimension. */
  readonly lengthscales: readonly number[]
  /** σ², the prior variance of the latent function. */
  readonly signalVariance: number
  readonly noiseVariance: number
}

const JITTER = 1e-8
const MAX_JITTER = 1e-2
const LOG_2PI = Math.log(2 * Math.PI)

export interface Prediction {
  mean: number
  /** Posterior variance of the latent function, ≥ 0. */
  variance: number
}

export class GaussianProcess {
  readonly dimensions: number
  readonly hyperparameters: GpHyperparameters
  private n: number
  private readonly capacity: number
  /** Inputs divided by the length scales, capacity × dimensions. */
  private readonly scaled: Float64Array
  private readonly targets: Float64Array
  /** Cholesky factor of K + (noise + jitter)·I, capacity × capacity, lower triangle. */
  private readonly factor: Float64Array
  /** (K + noise·I)⁻¹·y. */
  private readonly alpha: Float64Array
  private readonly inverseLengthscales: Float64Array
  private readonly diagonal: number
  // Scratch buffers, reused by every prediction.
  private readonly point: Float64Array
  private readonly k: Float64Array
  private readonly q: Float64Array
  private readonly v: Float64Array

  private constructor(dimensions: number, hyper: GpHyperparameters, capacity: number) {
    this.dimensions = dimensions
    this.hyperparameters = hyper
    this.n = 0
    this.capacity = capacity
    this.scaled = new Float64Array(capacity * dimensions)
    this.targets = new Float64Array(capacity)
    this.factor = new Float64Array(capacity * capacity)
    this.alpha = new Float64Array(capacity)
    this.inverseLengthscales = Float64Array.from(hyper.lengthscales, (l) => 1 / l)
    this.diagonal = hyper.signalVariance + hyper.noiseVariance
    this.point = new Float64Array(dimensions)
    this.k = new Float64Array(capacity + 1)
    this.q = new Float64Array(capacity)
    this.v = new Float64Array(capacity)
  }

  /**
   * The posterior given n observations: `x` holds n points of `dimensions` coordinates, row by
   * row. `extraCapacity` reserves room for that many later `condition` calls.
   */
  static fit(x: ArrayLike<number>, n: number, dimensions: number, y: ArrayLike<number>, hyper: GpHyperparameters, extraCapacity = 0): GaussianProcess {
    if (hyper.lengthscales.length !== dimensions) throw new RangeError(`expected ${dimensions} length scales, got ${hyper.lengthscales.length}`)
    const gp = new GaussianProcess(dimensions, hyper, n + extraCapacity)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dimensions; j++) gp.scaled[i * dimensions + j] = x[i * dimensions + j]! * gp.inverseLengthscales[j]!
      gp.targets[i] = y[i]!
    }
    gp.n = n
    gp.factorise()
    return gp
  }

  /** Number of observations, fantasised ones included. */
  get size(): number {
    return this.n
  }

  predict(x: ArrayLike<number>): Prediction {
    const n = this.load(x, false)
    let mean = 0
    for (let i = 0; i < n; i++) mean += this.k[i]! * this.alpha[i]!
    return { mean, variance: this.posteriorVariance(n) }
  }

  /** The prediction at x, and the gradients of its mean and variance with respect to x. */
  predictWithGradient(x: ArrayLike<number>, meanGradient: Float64Array, varianceGradient: Float64Array): Prediction {
    const n = this.load(x, true)
    const d = this.dimensions
    let mean = 0
    for (let i = 0; i < n; i++) mean += this.k[i]! * this.alpha[i]!
    const variance = this.posteriorVariance(n)
    // v = L⁻¹k already; w = L⁻ᵀv = K⁻¹k, and ∂σ²/∂x = −2·Σᵢ wᵢ·∂kᵢ/∂x.
    solveLowerTransposedInPlace(this.factor, n, this.v, this.capacity)
    meanGradient.fill(0)
    varianceGradient.fill(0)
    for (let i = 0; i < n; i++) {
      const meanWeight = this.alpha[i]! * this.q[i]!
      const varianceWeight = 2 * this.v[i]! * this.q[i]!
      const row = i * d
      for (let j = 0; j < d; j++) {
        const diff = this.point[j]! - this.scaled[row + j]!
        meanGradient[j]! -= meanWeight * diff
        varianceGradient[j]! += varianceWeight * diff
      }
    }
    for (let j = 0; j < d; j++) {
      meanGradient[j]! *= this.inverseLengthscales[j]!
      varianceGradient[j]! *= variance > 0 ? this.inverseLengthscales[j]! : 0
    }
    return { mean, variance }
  }

  /** Predictions at m points (row by row in `points`), into `means` and `variances`. */
  predictMany(points: ArrayLike<number>, m: number, means: Float64Array, variances: Float64Array): void {
    const d = this.dimensions
    const x = new Float64Array(d)
    for (let c = 0; c < m; c++) {
      for (let j = 0; j < d; j++) x[j] = points[c * d + j]!
      const prediction = this.predict(x)
      means[c] = prediction.mean
      variances[c] = prediction.variance
    }
  }

  /**
   * Adds an observation (x, y) with the same noise, updating the factor in O(n²). Used for
   * fantasies: a pending point believed to return y. Returns false when there is no room or
   * the point makes K numerically singular, in which case nothing changes.
   */
  condition(x: ArrayLike<number>, y: number): boolean {
    if (this.n >= this.capacity) return false
    const n = this.load(x, false)
    this.k[n] = this.diagonal + JITTER * this.hyperparameters.signalVariance
    if (!appendCholeskyRow(this.factor, n, this.k, this.capacity)) return false
    this.scaled.set(this.point, n * this.dimensions)
    this.targets[n] = y
    this.n = n + 1
    this.solveAlpha()
    return true
  }

  /** Scales x into `point` and fills k (and q, the gradient factors, when asked) against the data. */
  private load(x: ArrayLike<number>, withFactors: boolean): number {
    const d = this.dimensions
    const n = this.n
    const signal = this.hyperparameters.signalVariance
    for (let j = 0; j < d; j++) this.point[j] = x[j]! * this.inverseLengthscales[j]!
    for (let i = 0; i < n; i++) {
      const row = i * d
      let r2 = 0
      for (let j = 0; j < d; j++) {
        const diff = this.point[j]! - this.scaled[row + j]!
        r2 += diff * diff
      }
      const r = Math.sqrt(r2)
      this.k[i] = signal * matern52Correlation(r)
      if (withFactors) this.q[i] = signal * matern52GradientFactor(r)
    }
    return n
  }

  /** σ² − kᵀK⁻¹k for the k in the scratch buffer, leaving v = L⁻¹k there. */
  private posteriorVariance(n: number): number {
    for (let i = 0; i < n; i++) this.v[i] = this.k[i]!
    solveLowerInPlace(this.factor, n, this.v, this.capacity)
    let explained = 0
    for (let i = 0; i < n; i++) explained += this.v[i]! * this.v[i]!
    return Math.max(this.hyperparameters.signalVariance - explained, 0)
  }

  private factorise(): void {
    const { n, capacity, dimensions: d } = this
    const signal = this.hyperparameters.signalVariance
    for (let jitter = JITTER; ; jitter *= 10) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) this.factor[i * capacity + j] = signal * matern52Correlation(rowDistance(this.scaled, i, j, d))
        this.factor[i * capacity + i] = this.diagonal + jitter * signal
      }
      if (choleskyInPlace(this.factor, n, capacity)) break
      if (jitter > MAX_JITTER) throw new RangeError('covariance matrix is not positive definite even with jitter')
    }
    this.solveAlpha()
  }

  private solveAlpha(): void {
    const n = this.n
    for (let i = 0; i < n; i++) this.alpha[i] = this.targets[i]!
    solveLowerInPlace(this.factor, n, this.alpha, this.capacity)
    solveLowerTransposedInPlace(this.factor, n, this.alpha, this.capacity)
  }
}

/**
 * log p(y | X, θ) of a zero-mean GP (R&W eq. 5.8), and when `gradient` is given its gradient
 * with respect to θ = (log ℓ₁ … log ℓ_d, log σ², log noise) (eq. 5.9:
 * ½·tr((ααᵀ − K⁻¹)·∂K/∂θ)). Returns −∞ when K cannot be factorised.
 */
export function logMarginalLikelihood(
  x: ArrayLike<number>,
  n: number,
  dimensions: number,
  y: ArrayLike<number>,
  hyper: GpHyperparameters,
  gradient?: Float64Array,
): number {
  const d = dimensions
  const signal = hyper.signalVariance
  const scaled = new Float64Array(n * d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) scaled[i * d + j] = x[i * d + j]! / hyper.lengthscales[j]!
  // Lower triangle of K. For the gradient, k(r) and the factors σ²·g(r) are kept per pair
  // (strictly lower triangle), since the factorisation overwrites K.
  const factor = new Float64Array(n * n)
  const kernel = gradient ? new Float64Array(n * n) : undefined
  const factors = gradient ? new Float64Array(n * n) : undefined
  const diagonal = signal + hyper.noiseVariance + JITTER * signal
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const r = rowDistance(scaled, i, j, d)
      const e = Math.exp(-SQRT5 * r)
      const k = signal * (1 + SQRT5 * r + (5 / 3) * r * r) * e
      factor[i * n + j] = k
      if (kernel && factors) {
        kernel[i * n + j] = k
        factors[i * n + j] = signal * (5 / 3) * (1 + SQRT5 * r) * e
      }
    }
    factor[i * n + i] = diagonal
  }
  if (!choleskyInPlace(factor, n)) return -Infinity
  const alpha = Float64Array.from({ length: n }, (_, i) => y[i]!)
  solveLowerInPlace(factor, n, alpha)
  let fit = 0
  for (let i = 0; i < n; i++) fit += alpha[i]! * alpha[i]!
  solveLowerTransposedInPlace(factor, n, alpha)
  let logDet = 0
  for (let i = 0; i < n; i++) logDet += Math.log(factor[i * n + i]!)
  const value = -0.5 * fit - logDet - 0.5 * n * LOG_2PI
  if (!gradient || !factors || !kernel) return value

  // W = ααᵀ − K⁻¹, one entry at a time: (K⁻¹)_ab = Σ_{k ≥ a} M_ka·M_kb with M = L⁻¹ (a ≥ b),
  // used at once rather than stored.
  const mt = invertLowerTransposed(factor, n)
  gradient.fill(0, 0, d + 2)
  let signalGradient = 0
  let traceW = 0
  for (let a = 0; a < n; a++) {
    const wDiagonal = alpha[a]! * alpha[a]! - dot(mt, a * n + a, mt, a * n + a, n - a)
    traceW += wDiagonal
    signalGradient += 0.5 * wDiagonal * signal
    for (let b = 0; b < a; b++) {
      // Off-diagonal pairs appear twice in the trace, cancelling the ½.
      const w = alpha[a]! * alpha[b]! - dot(mt, a * n + a, mt, b * n + a, n - a)
      signalGradient += w * kernel[a * n + b]!
      const weight = w * factors[a * n + b]!
      for (let j = 0; j < d; j++) {
        const u = scaled[a * d + j]! - scaled[b * d + j]!
        gradient[j]! += weight * u * u
      }
    }
  }
  gradient[d] = signalGradient
  gradient[d + 1] = 0.5 * traceW * hyper.noiseVariance
  return value
}

function rowDistance(scaled: Float64Array, a: number, b: number, d: number): number {
  let r2 = 0
  for (let j = 0; j < d; j++) {
    const diff = scaled[a * d + j]! - scaled[b * d + j]!
    r2 += diff * diff
  }
  return Math.sqrt(r2)
}
