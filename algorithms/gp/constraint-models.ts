/**
 * Constraints as Gardner, Kusner, Xu, Weinberger & Cunningham ("Bayesian Optimization with
 * Inequality Constraints", ICML 2014) model them: one GP per constraint, fitted to the
 * violations the trials reported (feasible when <= 0), and the acquisition multiplied by the
 * probability that every constraint holds, Π_k Φ((0 − μ_k)/σ_k), the constraints taken as
 * independent. Our acquisitions are maximised in log form (acquisition.ts), so the product is a
 * sum of log Φ terms, with their gradients, and stays informative where PoF underflows.
 *
 * Violations are standardised (mean 0, sd 1, no warping, so the threshold 0 maps to one number,
 * `threshold`). A violation of +Infinity (a constraint metric never reported) becomes the
 * largest finite one plus the range (or 1 when there is none): clearly infeasible without
 * wrecking the scale. With LCB, whose values are not a log, the log PoF is added as a penalty:
 * a deviation, documented at the setting.
 */
import type { Rng } from '../../core/rng.ts'
import { fitHyperparameters } from './fit-hyperparameters.ts'
import { GaussianProcess } from './gaussian-process.ts'
import { logNormalCdf } from './normal-distribution.ts'
import { subsampleIndices } from './subsample-history.ts'

export interface ConstraintModel {
  readonly gp: GaussianProcess
  /** The violation 0 in the GP's standardised units. */
  readonly threshold: number
}

/** Finite stand-ins for infinite violations, per the header. */
export function finiteViolations(values: readonly number[]): number[] {
  const finite = values.filter(Number.isFinite)
  if (finite.length === values.length) return [...values]
  const high = finite.length > 0 ? Math.max(...finite) : 0
  const low = finite.length > 0 ? Math.min(...finite) : 0
  const stand = Math.max(high, 0) + Math.max(high - low, 1)
  return values.map((v) => (Number.isFinite(v) ? v : stand))
}

/**
 * One GP per constraint over the rows of `x` (n × d, row-major); `violations[k][i]` is
 * constraint k's violation at row i.
 */
export function fitConstraintModels(x: Float64Array, n: number, d: number, violations: readonly (readonly number[])[], rng: Rng, maxFitPoints: number, extraCapacity: number): ConstraintModel[] {
  return violations.map((raw) => {
    const values = finiteViolations(raw)
    const mean = values.reduce((a, b) => a + b, 0) / n
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n)
    const scale = sd > 0 ? sd : 1
    const z = values.map((v) => (v - mean) / scale)
    const fitRows = subsampleIndices(z, maxFitPoints, rng)
    const fitX = new Float64Array(fitRows.length * d)
    fitRows.forEach((row, k) => fitX.set(x.subarray(row * d, (row + 1) * d), k * d))
    const hyper = fitHyperparameters(fitX, fitRows.length, d, fitRows.map((row) => z[row]!), { rng })
    return { gp: GaussianProcess.fit(x, n, d, z, hyper, extraCapacity), threshold: (0 - mean) / scale }
  })
}

/** log P(every constraint holds) at a point from each constraint's predictive mean and sd. */
export function logFeasibility(models: readonly ConstraintModel[], x: ArrayLike<number>): number {
  let total = 0
  for (const m of models) {
    const { mean, variance } = m.gp.predict(x)
    total += logNormalCdf((m.threshold - mean) / Math.sqrt(Math.max(variance, 1e-18))).value
  }
  return total
}

/**
 * The same with its gradient with respect to x added into `gradient` (scratch buffers of the
 * cube's dimension are passed in to avoid allocation in the ascent's inner loop).
 */
export function logFeasibilityWithGradient(
  models: readonly ConstraintModel[], x: Float64Array, gradient: Float64Array, meanGradient: Float64Array, varianceGradient: Float64Array,
): number {
  let total = 0
  for (const m of models) {
    const { mean, variance } = m.gp.predictWithGradient(x, meanGradient, varianceGradient)
    const v = Math.max(variance, 1e-18)
    const sd = Math.sqrt(v)
    const u = (m.threshold - mean) / sd
    const { value, derivative } = logNormalCdf(u)
    total += value
    // d/dμ = −r/σ, d/dv = −r·u/(2v), with r = φ(u)/Φ(u) = derivative.
    const dMean = -derivative / sd
    const dVariance = variance > 1e-18 ? (-derivative * u) / (2 * v) : 0
    for (let j = 0; j < gradient.length; j++) gradient[j]! += dMean * meanGradient[j]! + dVariance * varianceGradient[j]!
  }
  return total
}
