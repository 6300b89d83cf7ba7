import { dominates } from './pareto-front.ts'

/**
 * The exact hypervolume of minimised points against a reference point: the volume of the region
 * that some point dominates and that dominates the reference. Points not strictly better than
 * the reference in every coordinate add nothing (as on the server). Two objectives: one sweep;
 * more: slices along the last coordinate, each slice's volume that of the points below it in one
 * dimension fewer (HSO, While et al. 2006); three: the same slices, each slice's area kept as
 * a staircase that grows by one point per slice (a front of 300 points in about a millisecond).
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const inside = points.filter((p) => p.every((v, i) => v < reference[i]!))
  return volume(inside, reference, reference.length)
}

function volume(points: readonly (readonly number[])[], reference: readonly number[], d: number): number {
  if (points.length === 0) return 0
  if (d === 1) return reference[0]! - Math.min(...points.map((p) => p[0]!))
  if (d === 2) {
    const sorted = [...points].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)
    let area = 0
    let ceiling = reference[1]!
    for (const p of sorted) {
      if (p[1]! >= ceiling) continue
      area += (reference[0]! - p[0]!) * (ceiling - p[1]!)
      ceiling = p[1]!
    }
    return area
  }
  if (d === 3) return volume3(points, reference)
  const last = d - 1
  const sorted = [...points].sort((a, b) => a[last]! - b[last]!)
  let total = 0
  const below: (readonly number[])[] = []
  for (let i = 0; i < sorted.length; i++) {
    const projected = sorted[i]!.slice(0, last)
    // Only the projections no other one dominates matter to the slices above.
    if (!below.some((b) => dominates(b, projected) || b.every((v, k) => v === projected[k]))) {
      for (let k = below.length - 1; k >= 0; k--) if (dominates(projected, below[k]!)) below.splice(k, 1)
      below.push(projected)
    }
    const top = i + 1 < sorted.length ? sorted[i + 1]![last]! : reference[last]!
    const height = top - sorted[i]![last]!
    if (height > 0) total += height * volume(below, reference, last)
  }
  return total
}

/** Slices along z, the staircase of the points below each slice kept sorted by x (y falling). */
function volume3(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const sorted = [...points].sort((a, b) => a[2]! - b[2]!)
  const stairs: [number, number][] = []
  let area = 0
  let total = 0
  for (let i = 0; i < sorted.length; i++) {
    const [x, y] = [sorted[i]![0]!, sorted[i]![1]!]
    // First step at or right of x; the one before it (if any) has a smaller x.
    let at = 0
    while (at < stairs.length && stairs[at]![0] < x) at++
    const covered = (at > 0 && stairs[at - 1]![1] <= y) || (at < stairs.length && stairs[at]![0] === x && stairs[at]![1] <= y)
    if (!covered) {
      let end = at
      while (end < stairs.length && stairs[end]![1] >= y) end++
      stairs.splice(at, end - at, [x, y])
      area = 0
      let ceiling = reference[1]!
      for (const [sx, sy] of stairs) {
        area += (reference[0]! - sx) * (ceiling - sy)
        ceiling = sy
      }
    }
    const top = i + 1 < sorted.length ? sorted[i + 1]![2]! : reference[2]!
    total += (top - sorted[i]![2]!) * area
  }
  return total
}
