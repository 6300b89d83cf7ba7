/**
 * The Matérn 5/2 covariance with automatic relevance determination (one length scale per input
 * dimension): Rasmussen & Williams, "Gaussian Processes for Machine Learning", MIT Press 2006,
 * §4.2 eq. 4.17 and §5.1. Snoek, Larochelle & Adams, "Practical Bayesian Optimization of Machine
 * Learning Algorithms", NeurIPS 2012, argue for it over the squared exponential in BO: its
 * sample paths are twice differentiable rather than infinitely smooth, which suits real
 * objectives better. With r² = Σⱼ (aⱼ − bⱼ)²/ℓⱼ²,
 *
 *   k(a, b) = σ²·(1 + √5·r + 5r²/3)·e^{−√5·r}.
 *
 * Every derivative below goes through g(r) = (5/3)(1 + √5·r)·e^{−√5·r}, which is finite at
 * r = 0, so no derivative divides by r:
 *   ∂k/∂aⱼ      = −σ²·g(r)·(aⱼ − bⱼ)/ℓⱼ²
 *   ∂k/∂log ℓⱼ  =  σ²·g(r)·(aⱼ − bⱼ)²/ℓⱼ²
 *   ∂k/∂log σ²  =  k
 */

export const SQRT5 = Math.sqrt(5)

/** k(r)/σ², the correlation at scaled distance r. */
export function matern52Correlation(r: number): number {
  return (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r)
}

/** g(r) = −(1/r)·d(k/σ²)/dr = (5/3)(1 + √5·r)·e^{−√5·r}. */
export function matern52GradientFactor(r: number): number {
  return (5 / 3) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r)
}

export interface Matern52Parameters {
  readonly lengthscales: ArrayLike<number>
  readonly signalVariance: number
}

/** Scaled distance r between a and b. */
export function scaledDistance(a: ArrayLike<number>, b: ArrayLike<number>, lengthscales: ArrayLike<number>): number {
  let r2 = 0
  for (let j = 0; j < lengthscales.length; j++) {
    const u = (a[j]! - b[j]!) / lengthscales[j]!
    r2 += u * u
  }
  return Math.sqrt(r2)
}

/** k(a, b). */
export function matern52(a: ArrayLike<number>, b: ArrayLike<number>, params: Matern52Parameters): number {
  return params.signalVariance * matern52Correlation(scaledDistance(a, b, params.lengthscales))
}

/** ∂k(a, b)/∂a, written into `out`. */
export function matern52GradientWrtInput(a: ArrayLike<number>, b: ArrayLike<number>, params: Matern52Parameters, out: Float64Array): void {
  const { lengthscales, signalVariance } = params
  const factor = -signalVariance * matern52GradientFactor(scaledDistance(a, b, lengthscales))
  for (let j = 0; j < lengthscales.length; j++) out[j] = (factor * (a[j]! - b[j]!)) / (lengthscales[j]! * lengthscales[j]!)
}

/**
 * ∂k(a, b)/∂θ for θ = (log ℓ₁ … log ℓ_d, log σ²), written into `out` (length d + 1). The GP
 * fits its hyperparameters in log space: they are positive and span orders of magnitude.
 */
export function matern52GradientWrtLogParameters(a: ArrayLike<number>, b: ArrayLike<number>, params: Matern52Parameters, out: Float64Array): void {
  const { lengthscales, signalVariance } = params
  const r = scaledDistance(a, b, lengthscales)
  const factor = signalVariance * matern52GradientFactor(r)
  for (let j = 0; j < lengthscales.length; j++) {
    const u = (a[j]! - b[j]!) / lengthscales[j]!
    out[j] = factor * u * u
  }
  out[lengthscales.length] = signalVariance * matern52Correlation(r)
}
