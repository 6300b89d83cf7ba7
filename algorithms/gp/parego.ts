/**
 * ParEGO's scalarisation (J. Knowles: "ParEGO: a hybrid algorithm with on-line landscape
 * approximation for expensive multiobjective optimization problems", IEEE TEC 10(1), 2006):
 * each ask draws a weight vector λ on the simplex and the GP is fitted to
 *
 *   f_λ(x) = max_j λ_j·f̂_j(x) + ρ·Σ_j λ_j·f̂_j(x),   ρ = 0.05,
 *
 * the augmented Chebyshev function of the objectives f̂_j normalised to [0, 1] by the observed
 * minimum and maximum of each. Minimising f_λ for varying λ reaches every Pareto-optimal point,
 * concave fronts included (a weighted sum cannot), and one GP on one scalar keeps the existing
 * acquisition machinery. Deviations from the paper: λ is drawn uniformly on the simplex (the
 * normalised exponentials of a Dirichlet(1, ..., 1) draw) rather than from its lattice of
 * s = 10 (2 objectives) or 4 (3) divisions, which has no analogue for any number of
 * objectives; the GP is fitted to all observations (the paper keeps 11d − 1 + 25 of them:
 * ours subsample past MAX_MODEL_POINTS) with our usual output warping, and maximised with our
 * acquisition search rather than the paper's evolutionary algorithm.
 */
import type { Rng } from '../../core/rng.ts'

export const PAREGO_RHO = 0.05

/** A weight vector uniform on the simplex of `m` objectives (each weight > 0, sum 1). */
export function simplexWeights(rng: Rng, m: number): number[] {
  const e = Array.from({ length: m }, () => -Math.log(1 - rng.next()) + 1e-12)
  const sum = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / sum)
}

/** f_λ of each row of `vectors` (all minimised), normalised by the rows' own ranges. */
export function augmentedChebyshev(vectors: readonly (readonly number[])[], weights: readonly number[]): number[] {
  const m = weights.length
  const low = new Array<number>(m).fill(Infinity)
  const high = new Array<number>(m).fill(-Infinity)
  for (const v of vectors) {
    for (let j = 0; j < m; j++) {
      low[j] = Math.min(low[j]!, v[j]!)
      high[j] = Math.max(high[j]!, v[j]!)
    }
  }
  return vectors.map((v) => {
    let max = -Infinity
    let sum = 0
    for (let j = 0; j < m; j++) {
      const range = high[j]! - low[j]!
      const normalised = range > 0 ? (v[j]! - low[j]!) / range : 0
      max = Math.max(max, weights[j]! * normalised)
      sum += weights[j]! * normalised
    }
    return max + PAREGO_RHO * sum
  })
}
