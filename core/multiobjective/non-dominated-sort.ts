/**
 * Fast non-dominated sorting (K. Deb, A. Pratap, S. Agarwal, T. Meyarivan: "A fast and elitist
 * multiobjective genetic algorithm: NSGA-II", IEEE TEC 2002), every coordinate minimised.
 *
 * Returns fronts of indices into `points`: the first front is the non-dominated points, the
 * second those dominated only by the first, and so on. Equal points dominate neither way and so
 * share a front. O(M·N²) comparisons, which for the few thousand trials an experiment holds is
 * milliseconds; indices inside each front are ascending, so the result is deterministic.
 */
import { dominates } from './dominates.ts'

export function nonDominatedSort(points: readonly (readonly number[])[]): number[][] {
  const n = points.length
  if (n === 0) return []
  const dimension = points[0]!.length
  for (let i = 1; i < n; i++) {
    if (points[i]!.length !== dimension) {
      throw new RangeError(`nonDominatedSort: point ${i} has ${points[i]!.length} coordinates, point 0 has ${dimension}`)
    }
  }
  const dominatedBy = new Array<number>(n).fill(0)
  const dominatedSets: number[][] = Array.from({ length: n }, () => [])
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i]!, points[j]!)) {
        dominatedSets[i]!.push(j)
        dominatedBy[j]!++
      } else if (dominates(points[j]!, points[i]!)) {
        dominatedSets[j]!.push(i)
        dominatedBy[i]!++
      }
    }
  }
  const fronts: number[][] = []
  let current: number[] = []
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) current.push(i)
  while (current.length > 0) {
    fronts.push(current)
    const next: number[] = []
    for (const i of current) {
      for (const j of dominatedSets[i]!) {
        if (--dominatedBy[j]! === 0) next.push(j)
      }
    }
    next.sort((a, b) => a - b)
    current = next
  }
  return fronts
}
