/**
 * CMA-ES strategy parameters for a dimension and population size, exactly the defaults of
 * Hansen, "The CMA Evolution Strategy: A Tutorial" (arXiv:1604.00772, 2016), Table 1, including
 * the negative recombination weights of active CMA (Jastrebski & Arnold 2006) that pycma and
 * Optuna's `cmaes` package also use by default.
 */

export interface CmaParameters {
  readonly dimensions: number
  /** λ: samples per generation. */
  readonly popsize: number
  /** μ: how many of the best samples move the mean. */
  readonly mu: number
  /** Recombination weights by rank (best first): μ positive ones summing to 1, then ≤ 0 ones. */
  readonly weights: readonly number[]
  /** μ_eff = (Σ w⁺)² / Σ (w⁺)². */
  readonly mueff: number
  /** c_σ and d_σ: step-size cumulation and damping. */
  readonly cs: number
  readonly ds: number
  /** c_c: cumulation for the rank-one path. */
  readonly cc: number
  /** c_1 and c_μ: rank-one and rank-μ learning rates. */
  readonly c1: number
  readonly cmu: number
  /** E‖N(0, I)‖. */
  readonly chiN: number
}

/** 4 + ⌊3 ln n⌋, the tutorial's default λ. */
export function defaultPopsize(dimensions: number): number {
  return 4 + Math.floor(3 * Math.log(Math.max(dimensions, 1)))
}

export function cmaParameters(dimensions: number, popsize: number): CmaParameters {
  const n = dimensions
  const lambda = popsize
  const mu = Math.floor(lambda / 2)
  const raw = Array.from({ length: lambda }, (_, i) => Math.log((lambda + 1) / 2) - Math.log(i + 1))
  const positive = raw.slice(0, mu)
  const negative = raw.slice(mu).filter((w) => w < 0)
  const sumPositive = positive.reduce((a, b) => a + b, 0)
  const mueff = sumPositive ** 2 / positive.reduce((a, b) => a + b * b, 0)
  const sumNegative = negative.reduce((a, b) => a + b, 0)
  const mueffMinus = negative.length === 0 ? 0 : sumNegative ** 2 / negative.reduce((a, b) => a + b * b, 0)

  const cs = (mueff + 2) / (n + mueff + 5)
  const ds = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + cs
  const cc = (4 + mueff / n) / (n + 4 + (2 * mueff) / n)
  const alphaCov = 2
  const c1 = alphaCov / ((n + 1.3) ** 2 + mueff)
  const cmu = Math.min(1 - c1, (alphaCov * (mueff - 2 + 1 / mueff)) / ((n + 2) ** 2 + (alphaCov * mueff) / 2))

  // Negative weights are scaled so that the rank-μ update keeps C positive definite and the
  // variance loss stays bounded (α_μ⁻, α_μeff⁻, α_posdef⁻ of the tutorial). With c_μ = 0
  // (λ = 2) two of the three are infinite and the third decides; the weights are then unused.
  const alphaMuMinus = 1 + c1 / cmu
  const alphaMueffMinus = 1 + (2 * mueffMinus) / (mueff + 2)
  const alphaPosdefMinus = (1 - c1 - cmu) / (n * cmu)
  const negativeScale = Math.min(alphaMuMinus, alphaMueffMinus, alphaPosdefMinus) / Math.abs(sumNegative || 1)
  const weights = raw.map((w, i) => (i < mu ? w / sumPositive : w < 0 ? w * negativeScale : 0))

  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n))
  return { dimensions: n, popsize: lambda, mu, weights, mueff, cs, ds, cc, c1, cmu, chiN }
}
