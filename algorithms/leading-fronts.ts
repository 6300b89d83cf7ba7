/**
 * The first non-dominated fronts of `points` (every coordinate minimised), best first, only as
 * many as it takes to hold `atLeast` points: selection (NSGA-II's elite, MOTPE's good group)
 * never looks further, and peeling fronts with `paretoFront` costs O(M·N·F) per front where a
 * full non-dominated sort costs O(M·N²) (35 ms against under 1 ms for 1,000 random 2-D points).
 * Indices into `points`, ascending within a front; equal points share a front.
 */
import { paretoFront } from '../core/multiobjective/pareto-front.ts'

export function leadingFronts(points: readonly (readonly number[])[], atLeast: number): number[][] {
  const fronts: number[][] = []
  let remaining = points.map((_, i) => i)
  let taken = 0
  while (remaining.length > 0 && taken < atLeast) {
    const rest = remaining
    const front = paretoFront(rest.map((i) => points[i]!)).map((k) => rest[k]!)
    fronts.push(front)
    taken += front.length
    const inFront = new Set(front)
    remaining = rest.filter((i) => !inFront.has(i))
  }
  return fronts
}
