/**
 * Hyperband's brackets (Li et al. 2018, "Hyperband: A Novel Bandit-Based Approach to
 * Hyperparameter Optimization", Algorithm 1), for a maximum resource R per configuration,
 * counted in units of the resource's smallest step, and a reduction factor eta:
 *
 *   s_max = ⌊log_eta(R)⌋, B = (s_max + 1)·R
 *   bracket s = s_max, …, 0:  n = ⌈B/R · eta^s/(s + 1)⌉ configurations at r = R·eta^−s
 *   rung i = 0, …, s:         n_i = ⌊n·eta^−i⌋ configurations, each with r_i = r·eta^i
 *
 * Katib's `r_l` is this R (the service computes the same s_max, n and r) and the smallest
 * resource is R·eta^−s_max ≥ one step. For R = 81, eta = 3: brackets of 81, 34, 15, 8 and 5
 * configurations starting at 1, 3, 9, 27 and 81 epochs.
 */

export interface Rung {
  /** Configurations evaluated at this rung. */
  readonly n: number
  /** Resource each gets, in the resource parameter's units (before snapping to its grid). */
  readonly resource: number
}

export interface Bracket {
  readonly s: number
  /** Rung 0 holds the new configurations; the last rung has resource R. */
  readonly rungs: readonly Rung[]
}

export interface HyperbandSchedule {
  readonly sMax: number
  /** Brackets in the order Hyperband runs them: s = s_max (most exploratory) first. */
  readonly brackets: readonly Bracket[]
}

// log(81)/log(3) is 3.9999999999999996 in doubles; powers are compared with this slack instead.
const SLACK = 1e-9

/** s_max = ⌊log_eta(maxResource/unit)⌋, exact for powers of eta; -1 when maxResource < unit. */
export function maxBracketIndex(maxResource: number, eta: number, unit = 1): number {
  const ratio = maxResource / unit
  if (!(ratio >= 1 - SLACK)) return -1
  let s = 0
  while (eta ** (s + 1) <= ratio * (1 + SLACK)) s++
  return s
}

export function hyperbandSchedule(maxResource: number, eta: number, unit = 1): HyperbandSchedule {
  const sMax = maxBracketIndex(maxResource, eta, unit)
  const brackets: Bracket[] = []
  for (let s = sMax; s >= 0; s--) {
    // n = ⌈(s_max + 1)·eta^s/(s + 1)⌉, in integers so no rounding error can add a configuration.
    const n = Math.ceil(((sMax + 1) * eta ** s) / (s + 1) - SLACK)
    const rungs: Rung[] = []
    for (let i = 0; i <= s; i++) {
      rungs.push({ n: Math.floor(n / eta ** i + SLACK), resource: maxResource * eta ** (i - s) })
    }
    brackets.push({ s, rungs })
  }
  return { sMax, brackets }
}
