/**
 * Pareto dominance for the dashboard, over vectors where every coordinate is minimised (a
 * maximised objective is negated first, see objectives-info.ts). The server has its own copy in
 * core/multiobjective; the dashboard talks HTTP only and bundles none of the server's code, so
 * these few lines are repeated here rather than imported.
 */

/** a is no worse than b in every coordinate and better in at least one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > b[i]!) return false
    if (a[i]! < b[i]!) better = true
  }
  return better
}

/**
 * Indices of the points no other point dominates, ascending; equal points are all on the front.
 * Lexicographic order first: a point can only be dominated by one before it, and whatever
 * dominates it is dominated by (or is) a front point found earlier, so each point is compared
 * with the front so far only: O(n·front) rather than O(n²).
 */
export function paretoFront(points: readonly (readonly number[])[]): number[] {
  const order = points.map((_, i) => i).sort((i, j) => lexicographic(points[i]!, points[j]!) || i - j)
  const front: number[] = []
  if (points[0]?.length === 2) {
    // Two objectives: in that order a point is on the front when its second value beats every
    // earlier one (or it equals the last front point): one sweep.
    let lowest = Infinity
    for (const i of order) {
      const [x, y] = points[i] as [number, number]
      const last = points[front[front.length - 1] ?? -1]
      if (y < lowest || (last && last[0] === x && last[1] === y)) front.push(i)
      lowest = Math.min(lowest, y)
    }
    return front.sort((a, b) => a - b)
  }
  for (const i of order) {
    if (!front.some((f) => dominates(points[f]!, points[i]!))) front.push(i)
  }
  return front.sort((a, b) => a - b)
}

function lexicographic(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}
