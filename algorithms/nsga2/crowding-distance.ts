/**
 * NSGA-II's crowding distance (Deb et al. 2002, section III-B): for each point of one front, the
 * sum over objectives of the gap between its two neighbours in that objective, relative to the
 * front's range there. The extremes of every objective get +Infinity, so selection keeps the
 * ends of the front; a larger distance means a lonelier point, which selection prefers.
 * Every coordinate minimised; `points` is one front. Ties in an objective keep index order, so
 * the result is deterministic.
 */
export function crowdingDistance(points: readonly (readonly number[])[]): number[] {
  const n = points.length
  const distance = new Array<number>(n).fill(0)
  if (n <= 2) return distance.fill(Infinity)
  const m = points[0]!.length
  const order = Array.from({ length: n }, (_, i) => i)
  for (let j = 0; j < m; j++) {
    order.sort((a, b) => points[a]![j]! - points[b]![j]! || a - b)
    const low = points[order[0]!]![j]!
    const high = points[order[n - 1]!]![j]!
    distance[order[0]!] = Infinity
    distance[order[n - 1]!] = Infinity
    // A front flat in this objective tells nothing about spread along it.
    if (!(high > low)) continue
    for (let r = 1; r < n - 1; r++) distance[order[r]!]! += (points[order[r + 1]!]![j]! - points[order[r - 1]!]![j]!) / (high - low)
  }
  return distance
}
