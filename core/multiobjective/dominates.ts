/**
 * Pareto dominance between two objective vectors, every coordinate minimised (callers flip the
 * sign of maximised objectives first, see objectives.ts' toMinimized).
 *
 * a dominates b when a is no worse in every coordinate and strictly better in at least one, so
 * equal vectors do not dominate each other. A NaN coordinate compares false both ways and so
 * never makes either side dominate; callers drop trials with non-finite objectives beforehand.
 */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) {
    throw new RangeError(`dominates: vectors of different lengths (${a.length} and ${b.length})`)
  }
  let strictlyBetter = false
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!
    const y = b[i]!
    if (!(x <= y)) return false
    if (x < y) strictlyBetter = true
  }
  return strictlyBetter
}
