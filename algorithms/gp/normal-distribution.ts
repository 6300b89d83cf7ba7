/**
 * The standard normal functions the acquisition functions need, accurate far into the tails so
 * that log-EI and log-PI keep useful gradients where plain EI and PI underflow to 0 (Ament et
 * al., "Unexpected Improvements to Expected Improvement for Bayesian Optimization", NeurIPS
 * 2023). Everything rests on the scaled complementary error function erfcx(x) = e^{x²}·erfc(x),
 * which stays finite for large x where erfc(x) underflows.
 *
 * erfcx uses the Chebyshev fit of Press et al., "Numerical Recipes", 3rd ed. (2007), §6.2.2
 * (`erfccheb`, 28 coefficients, about double precision); erfc(x) = t·exp(−x² + P(t)) there, so
 * leaving out the e^{−x²} gives erfcx without overflow or cancellation.
 */

const ERFC_COEFFICIENTS = [
  -1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3,
  -9.46595344482036e-4, 3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5,
  -1.624290004647e-6, 1.30365583558e-6, 1.5626441722e-8, -8.5238095915e-8,
  6.529054439e-9, 5.059343495e-9, -9.91364156e-10, -2.27365122e-10,
  9.6467911e-11, 2.394038e-12, -6.886027e-12, 8.94487e-13,
  3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15,
  -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17,
] as const

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI)
const SQRT_HALF_PI = Math.sqrt(Math.PI / 2)
// Below this z, 1 + z·Φ(z)/φ(z) has lost most of its digits to cancellation; its asymptotic
// series 1/z² − 3/z⁴ + 15/z⁶ is exact to double precision there.
const ASYMPTOTIC_Z = -1e3

/** e^{x²}·erfc(x) for x ≥ 0 (negative x are treated as 0: callers only need the upper half). */
export function erfcx(x: number): number {
  const z = x > 0 ? x : 0
  const t = 2 / (2 + z)
  const ty = 4 * t - 2
  let d = 0
  let dd = 0
  for (let j = ERFC_COEFFICIENTS.length - 1; j > 0; j--) {
    const tmp = d
    d = ty * d - dd + ERFC_COEFFICIENTS[j]!
    dd = tmp
  }
  return t * Math.exp(0.5 * (ERFC_COEFFICIENTS[0] + ty * d) - dd)
}

export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LOG_SQRT_2PI)
}

export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const tail = 0.5 * erfcx(x) * Math.exp(-x * x)
  return z < 0 ? tail : 1 - tail
}

/** log Φ(z) and its derivative φ(z)/Φ(z), both finite for every finite z. */
export function logNormalCdf(z: number): { value: number; derivative: number } {
  if (z < 0) {
    // Φ(z) = ½·erfcx(−z/√2)·e^{−z²/2}, so φ/Φ = 1/(√(π/2)·erfcx(−z/√2)).
    const e = erfcx(-z / Math.SQRT2)
    return { value: Math.log(0.5 * e) - 0.5 * z * z, derivative: 1 / (SQRT_HALF_PI * e) }
  }
  const cdf = normalCdf(z)
  return { value: Math.log(cdf), derivative: normalPdf(z) / cdf }
}

/**
 * log h(z) with h(z) = φ(z) + z·Φ(z), the expected improvement of a unit-variance normal over a
 * threshold z standard deviations above its mean, and the ratios Φ/h and φ/h that its
 * derivatives need (d log h/dz = Φ/h).
 */
export function logExpectedImprovementFactor(z: number): { value: number; cdfRatio: number; pdfRatio: number } {
  if (z > 0) {
    const pdf = normalPdf(z)
    const cdf = normalCdf(z)
    const h = pdf + z * cdf
    return { value: Math.log(h), cdfRatio: cdf / h, pdfRatio: pdf / h }
  }
  // h = φ(z)·(1 + z·m) with m = Φ/φ = √(π/2)·erfcx(−z/√2), finite for any z ≤ 0.
  const m = SQRT_HALF_PI * erfcx(-z / Math.SQRT2)
  let factor: number
  if (z < ASYMPTOTIC_Z) {
    const inverseSquare = 1 / (z * z)
    factor = inverseSquare * (1 - 3 * inverseSquare + 15 * inverseSquare * inverseSquare)
  } else {
    factor = 1 + z * m
  }
  return { value: -0.5 * z * z - LOG_SQRT_2PI + Math.log(factor), cdfRatio: m / factor, pdfRatio: 1 / factor }
}
