/**
 * Log-probabilities of a standard normal over an interval, for truncated and discretised
 * Gaussian kernels. Computed in log space so that a candidate far from every kernel still gets
 * a finite, comparable score instead of log(0).
 *
 * The upper tail uses the Chebyshev fit of erfc from Numerical Recipes (`erfcc`, relative error
 * below 1.2e-7 everywhere, tails included), which is all TPE needs: scores are compared between
 * candidates, never reported. Narrow intervals (fine step grids) use the midpoint rule instead,
 * because a difference of two nearly equal tails would lose that relative accuracy.
 */

const LOG_HALF = Math.log(0.5)
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI)
// Beyond ±9σ the tail is below 1e-19 of the mass: the interval is the whole line for doubles.
const WHOLE_LINE = 9
// Midpoint rule when the interval's width times its distance from 0 is this small (error < 1e-10).
const NARROW = 1e-2

/** log P(Z > x) for a standard normal Z; finite for every finite x. */
export function logUpperTail(x: number): number {
  if (x < 0) return Math.log1p(-upperTail(-x))
  const z = x * Math.SQRT1_2
  const t = 1 / (1 + 0.5 * z)
  return LOG_HALF + Math.log(t) - z * z + erfcPolynomial(t)
}

/** P(Z > x) for x ≥ 0 (underflows to 0 past x ≈ 38, where only the log form is useful). */
function upperTail(x: number): number {
  const z = x * Math.SQRT1_2
  const t = 1 / (1 + 0.5 * z)
  return 0.5 * t * Math.exp(-z * z + erfcPolynomial(t))
}

/** Numerical Recipes' erfcc: erfc(z) = t·exp(−z² + this), t = 1/(1 + z/2), z ≥ 0. */
function erfcPolynomial(t: number): number {
  return -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
    + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
}

/** log of the standard normal density at x. */
export function logStandardDensity(x: number): number {
  return -0.5 * x * x - LOG_SQRT_2PI
}

/** log P(a < Z < b) for a standard normal Z and a ≤ b (−Infinity when a = b). */
export function logGaussianMass(a: number, b: number): number {
  if (!(b > a)) return -Infinity
  if (a <= -WHOLE_LINE && b >= WHOLE_LINE) return 0
  const width = b - a
  const mid = 0.5 * (a + b)
  if (width * Math.max(1, Math.abs(mid)) < NARROW) {
    // ∫φ over [m − h/2, m + h/2] = h·φ(m)·(1 + h²(m² − 1)/24 + O(h⁴m⁴)).
    return Math.log(width) + logStandardDensity(mid) + Math.log1p((width * width * (mid * mid - 1)) / 24)
  }
  if (a >= 0) return logTailDifference(a, b)
  if (b <= 0) return logTailDifference(-b, -a)
  // The interval holds 0: one minus the two tails, neither of which exceeds 1/2.
  return Math.log1p(-((a > -WHOLE_LINE ? upperTail(-a) : 0) + (b < WHOLE_LINE ? upperTail(b) : 0)))
}

/** log(P(Z > lo) − P(Z > hi)) for 0 ≤ lo < hi, without forming the small tails themselves. */
function logTailDifference(lo: number, hi: number): number {
  const logLo = logUpperTail(lo)
  return logLo + Math.log1p(-Math.exp(logUpperTail(hi) - logLo))
}
