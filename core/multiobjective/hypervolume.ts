/**
 * Exact hypervolume (the Lebesgue measure of the region dominated by `points` and bounded by
 * `reference`), every coordinate minimised.
 *
 * - 1-D: reference minus the best value.
 * - 2-D: a sweep over the front sorted by the first coordinate, O(N log N).
 * - 3-D: a sweep along the third coordinate (H. Beume, C. M. Fonseca, M. López-Ibáñez,
 *   L. Paquete, J. Vahrenhold: "On the complexity of computing the hypervolume indicator",
 *   IEEE TEC 2009, in its simple form): points enter in increasing z, a 2-D front of what has
 *   entered is kept sorted by x and its area times the slab's height is added. O(N·F) with F the
 *   2-D front's size instead of the paper's balanced tree's O(N log N); 1,000 points take a few
 *   milliseconds, which is all an experiment's status needs.
 * - 4-D and more: WFG (L. While, L. Bradstreet, L. Barone: "A fast way of calculating exact
 *   hypervolumes", IEEE TEC 2012) with its slicing on the last coordinate: points sorted worst
 *   first in it, each point's exclusive part is its slab's height times the (d-1)-dimensional
 *   exclusive volume of its projection against the limit set of the points after it, recursing
 *   down to the 3-D sweep.
 *
 * Points not strictly better than the reference in every coordinate contribute nothing (also
 * those with a NaN or +Infinity coordinate); dominated and duplicate points are dropped before
 * the computation. The reference must be finite.
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const d = reference.length
  if (d === 0) throw new RangeError('hypervolume: the reference point has no coordinates')
  for (let i = 0; i < d; i++) {
    if (!Number.isFinite(reference[i]!)) {
      throw new RangeError(`hypervolume: reference coordinate ${i} is ${reference[i]}, it must be a finite number`)
    }
  }
  const inside: number[][] = []
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!
    if (p.length !== d) {
      throw new RangeError(`hypervolume: point ${i} has ${p.length} coordinates, the reference has ${d}`)
    }
    let ok = true
    for (let k = 0; k < d; k++) {
      if (!(p[k]! < reference[k]!)) {
        ok = false
        break
      }
    }
    if (ok) inside.push(p.slice())
  }
  if (inside.length === 0) return 0
  return volume(nonDominated(inside, d), reference, d)
}

/** Volume of a set of points all strictly inside the reference box, in the first d coordinates. */
function volume(points: number[][], ref: readonly number[], d: number): number {
  if (points.length === 0) return 0
  if (d === 1) {
    let best = Infinity
    for (const p of points) best = Math.min(best, p[0]!)
    return ref[0]! - best
  }
  if (points.length === 1) return boxVolume(points[0]!, ref, d)
  if (d === 2) return area2d(points, ref)
  if (d === 3) return volume3d(points, ref)
  return wfg(points, ref, d)
}

function boxVolume(p: readonly number[], ref: readonly number[], d: number): number {
  let v = 1
  for (let k = 0; k < d; k++) v *= ref[k]! - p[k]!
  return v
}

/** 2-D: sort by x ascending; the running minimum of y sets each strip's height. */
function area2d(points: number[][], ref: readonly number[]): number {
  const sorted = points.slice().sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)
  let area = 0
  let bestY = ref[1]!
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!
    if (p[1]! < bestY) bestY = p[1]!
    const nextX = i + 1 < sorted.length ? sorted[i + 1]![0]! : ref[0]!
    area += (nextX - p[0]!) * (ref[1]! - bestY)
  }
  return area
}

/**
 * 3-D: sweep along z. `xs`/`ys` hold the 2-D front of the points entered so far, x ascending and
 * so y descending; `area` is its area against (ref x, ref y), updated as points enter.
 */
function volume3d(points: number[][], ref: readonly number[]): number {
  const sorted = points.slice().sort((a, b) => a[2]! - b[2]!)
  const xs: number[] = []
  const ys: number[] = []
  let total = 0
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!
    insert2d(xs, ys, p[0]!, p[1]!)
    const nextZ = i + 1 < sorted.length ? sorted[i + 1]![2]! : ref[2]!
    if (nextZ > p[2]!) total += front2dArea(xs, ys, ref) * (nextZ - p[2]!)
  }
  return total
}

function insert2d(xs: number[], ys: number[], x: number, y: number): void {
  // First index with xs[i] >= x.
  let lo = 0
  let hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (xs[mid]! < x) lo = mid + 1
    else hi = mid
  }
  // The point before has a smaller x; if its y is no larger, it dominates (x, y).
  if (lo > 0 && ys[lo - 1]! <= y) return
  if (lo < xs.length && xs[lo] === x && ys[lo]! <= y) return
  // Remove the points it dominates: from lo on, x >= x and while y >= y.
  let end = lo
  while (end < xs.length && ys[end]! >= y) end++
  xs.splice(lo, end - lo, x)
  ys.splice(lo, end - lo, y)
}

function front2dArea(xs: readonly number[], ys: readonly number[], ref: readonly number[]): number {
  let area = 0
  for (let i = 0; i < xs.length; i++) {
    const nextX = i + 1 < xs.length ? xs[i + 1]! : ref[0]!
    area += (nextX - xs[i]!) * (ref[1]! - ys[i]!)
  }
  return area
}

/** WFG with slicing on coordinate d-1 (points already non-dominated in the first d coordinates). */
function wfg(points: number[][], ref: readonly number[], d: number): number {
  const last = d - 1
  // Worst first in the last coordinate: every later point is no worse there, so a limit set's
  // points all share the current point's last coordinate and the problem drops a dimension.
  const sorted = points.slice().sort((a, b) => b[last]! - a[last]!)
  let total = 0
  for (let k = 0; k < sorted.length; k++) {
    const p = sorted[k]!
    const height = ref[last]! - p[last]!
    if (height <= 0) continue
    const limit: number[][] = []
    for (let j = k + 1; j < sorted.length; j++) {
      const q = sorted[j]!
      const worse = new Array<number>(last)
      for (let c = 0; c < last; c++) worse[c] = Math.max(p[c]!, q[c]!)
      limit.push(worse)
    }
    const exclusive = boxVolume(p, ref, last) - volume(nonDominated(limit, last), ref, last)
    total += height * exclusive
  }
  return total
}

/** The points no other point dominates in the first d coordinates, one copy of each. */
function nonDominated(points: number[][], d: number): number[][] {
  // Sorting lexicographically puts every dominating point before the points it dominates, so
  // each point needs comparing only with the kept ones.
  const sorted = points.slice().sort((a, b) => {
    for (let k = 0; k < d; k++) {
      const diff = a[k]! - b[k]!
      if (diff !== 0) return diff
    }
    return 0
  })
  const kept: number[][] = []
  outer: for (const p of sorted) {
    for (const q of kept) {
      let weaklyDominates = true
      for (let k = 0; k < d; k++) {
        if (q[k]! > p[k]!) {
          weaklyDominates = false
          break
        }
      }
      if (weaklyDominates) continue outer
    }
    kept.push(p)
  }
  return kept
}
