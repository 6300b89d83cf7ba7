/**
 * TPE's split of the finished trials into a "below" (good) group, modelled by l(x), and the
 * rest, modelled by g(x) (Bergstra et al. 2011). How many go below is the γ function:
 *
 * - Optuna's default, γ(n) = min(⌈0.1·n⌉, 25): the best tenth, at most 25 (Watanabe 2023
 *   finds a fixed cap works better than a pure fraction once n is large).
 * - Katib's `gamma` setting is hyperopt's parameter, which hyperopt applies to √n, not n:
 *   ⌈gamma·√n⌉, capped at the same 25 (hyperopt's `gamma_cap`).
 */

/** How many of `n` finished trials form the good group. */
export type GammaFunction = (n: number) => number

export const BELOW_CAP = 25

/** Optuna's default γ(n) = min(⌈0.1·n⌉, 25). */
export function optunaGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), BELOW_CAP)
}

/** hyperopt's split for a `gamma` in (0, 1): ⌈gamma·√n⌉, at most 25. */
export function hyperoptGamma(gamma: number): GammaFunction {
  return (n) => Math.min(Math.ceil(gamma * Math.sqrt(n)), BELOW_CAP)
}

/**
 * Marks the `k` smallest of `values[0..count)` (ties: the earlier index wins, as a stable sort
 * would). O(count·k) with k ≤ 25 in practice, cheaper than sorting thousands of trials.
 */
export function selectSmallest(values: ArrayLike<number>, count: number, k: number): Uint8Array {
  const mask = new Uint8Array(count)
  const size = Math.max(0, Math.min(k, count))
  if (size === 0) return mask
  // best[0..filled) holds indices sorted by value, then index.
  const best = new Int32Array(size)
  let filled = 0
  for (let i = 0; i < count; i++) {
    const v = values[i]!
    if (filled === size && !(v < values[best[size - 1]!]!)) continue
    let at = filled === size ? size - 1 : filled++
    while (at > 0 && v < values[best[at - 1]!]!) {
      best[at] = best[at - 1]!
      at--
    }
    best[at] = i
  }
  for (let r = 0; r < filled; r++) mask[best[r]!] = 1
  return mask
}
