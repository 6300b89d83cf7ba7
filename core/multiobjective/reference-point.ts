/**
 * The reference point of an experiment's hypervolume when the spec names none: in minimised
 * coordinates, each objective's worst value among the feasible trials plus 10% of its range
 * (plus 10% of its magnitude, at least 1e-9, when every trial has the same value), so that every
 * feasible trial, the worst included, adds volume. It moves as trials arrive, so a hypervolume
 * is comparable only with others at the same reference point (the benchmark fixes its own).
 */
export function defaultReferencePoint(points: readonly (readonly number[])[]): number[] | undefined {
  if (points.length === 0) return undefined
  const dimensions = points[0]!.length
  return Array.from({ length: dimensions }, (_, d) => {
    let worst = -Infinity
    let best = Infinity
    for (const p of points) {
      worst = Math.max(worst, p[d]!)
      best = Math.min(best, p[d]!)
    }
    const range = worst - best
    return worst + (range > 0 ? 0.1 * range : Math.max(0.1 * Math.abs(worst), 1e-9))
  })
}
