import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hypervolume } from '../../../core/multiobjective/hypervolume.ts'
import { createRng } from '../../../core/rng.ts'

/**
 * Exact by brute force: cut the box into the grid the points' coordinates make and add the cells
 * whose lower corner some point weakly dominates. Exponential in the dimension, so small sets only.
 */
function bruteForce(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const d = ref.length
  const inside = points.filter((p) => p.every((v, k) => v < ref[k]!))
  const axes = ref.map((r, k) => [...new Set([...inside.map((p) => p[k]!), r])].sort((a, b) => a - b))
  let total = 0
  const index = new Array<number>(d).fill(0)
  const cells = axes.reduce((n, a) => n * (a.length - 1), 1)
  for (let c = 0; c < cells; c++) {
    let rest = c
    for (let k = 0; k < d; k++) {
      index[k] = rest % (axes[k]!.length - 1)
      rest = Math.floor(rest / (axes[k]!.length - 1))
    }
    const lower = index.map((i, k) => axes[k]![i]!)
    if (inside.some((p) => p.every((v, k) => v <= lower[k]!))) {
      total += index.reduce((v, i, k) => v * (axes[k]![i + 1]! - axes[k]![i]!), 1)
    }
  }
  return total
}

function randomPoints(seed: number, n: number, d: number, ref: number): number[][] {
  const rng = createRng(seed)
  // Points near a concave front plus some dominated ones, so fronts are non-trivial.
  return Array.from({ length: n }, () => {
    const v = Array.from({ length: d }, () => rng.next() + 0.01)
    const norm = Math.hypot(...v)
    const scale = rng.next() < 0.7 ? 1 : 1 + rng.next()
    return v.map((x) => Math.min(ref * 1.2, (x / norm) * scale))
  })
}

test('known values: one box, two overlapping boxes, three boxes meeting at a corner', () => {
  assert.equal(hypervolume([[1, 2]], [3, 3]), 2)
  assert.equal(hypervolume([[1, 2], [2, 1]], [3, 3]), 3)
  assert.equal(hypervolume([[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]], [1, 1, 1]), 0.5)
  assert.equal(hypervolume([[0.5, 0.5, 0.5, 0.5]], [1, 1, 1, 1]), 0.0625)
  assert.equal(hypervolume([[2]], [5]), 3)
  assert.equal(hypervolume([[2], [1], [4]], [5]), 4)
})

test('matches brute force on random sets in 2, 3, 4 and 5 dimensions', () => {
  for (const d of [2, 3, 4, 5]) {
    for (let seed = 0; seed < 12; seed++) {
      const n = d === 5 ? 7 : 12
      const pts = randomPoints(seed * 31 + d, n, d, 1.1)
      const ref = new Array<number>(d).fill(1.1)
      const exact = bruteForce(pts, ref)
      const got = hypervolume(pts, ref)
      assert.ok(Math.abs(got - exact) <= 1e-12 * Math.max(1, exact), `d=${d} seed=${seed}: ${got} vs ${exact}`)
    }
  }
})

test('duplicates and dominated points change nothing', () => {
  const base = [[0.2, 0.8, 0.5], [0.8, 0.2, 0.4], [0.5, 0.5, 0.1]]
  const ref = [1, 1, 1]
  const hv = hypervolume(base, ref)
  assert.ok(hv > 0, String(hv))
  assert.equal(hypervolume([...base, ...base, [0.9, 0.9, 0.9], [0.5, 0.5, 0.1]], ref), hv)
  const base4 = base.map((p) => [...p, 0.3])
  assert.ok(Math.abs(hypervolume([...base4, ...base4, [0.9, 0.9, 0.9, 0.9]], [1, 1, 1, 1]) - hv * 0.7) < 1e-12)
})

test('points outside the reference box, on its boundary or not finite contribute nothing', () => {
  const ref = [1, 1]
  assert.equal(hypervolume([], ref), 0)
  assert.equal(hypervolume([[1, 0]], ref), 0)
  assert.equal(hypervolume([[0, 1]], ref), 0)
  assert.equal(hypervolume([[2, -5]], ref), 0)
  assert.equal(hypervolume([[NaN, 0]], ref), 0)
  assert.equal(hypervolume([[0, Infinity]], ref), 0)
  assert.equal(hypervolume([[0.5, 0.5], [1.5, 0], [0, 1]], ref), 0.25)
  // Half outside in 3-D: only the inside one counts.
  assert.equal(hypervolume([[0.5, 0.5, 0.5], [0, 0, 2]], [1, 1, 1]), 0.125)
  // Negative coordinates are fine: the box is reference minus point.
  assert.equal(hypervolume([[-1, -1]], [1, 1]), 4)
})

test('a concave 3-D front of 1,000 points: the sweep agrees with the 4-D WFG on the same set lifted by a constant', () => {
  const rng = createRng(7)
  const pts = Array.from({ length: 1000 }, () => {
    const a = (rng.next() * Math.PI) / 2
    const b = (rng.next() * Math.PI) / 2
    return [Math.cos(a) * Math.cos(b), Math.cos(a) * Math.sin(b), Math.sin(a)]
  })
  const hv3 = hypervolume(pts, [1.1, 1.1, 1.1])
  // Dense samples of the unit sphere's octant approach 1.1³ − π/6 from below.
  const limit = 1.1 ** 3 - Math.PI / 6
  assert.ok(hv3 < limit && hv3 > limit - 0.05, `${hv3} vs ${limit}`)
  const lifted = pts.map((p) => [...p, 0.5])
  const hv4 = hypervolume(lifted, [1.1, 1.1, 1.1, 1])
  assert.ok(Math.abs(hv4 - hv3 * 0.5) < 1e-12, `${hv4} vs ${hv3 * 0.5}`)
})

test('the 2-D front of ZDT1 approaches its true hypervolume 120 + 2/3 against (11, 11)', () => {
  const pts = Array.from({ length: 2001 }, (_, i) => {
    const f1 = i / 2000
    return [f1, 1 - Math.sqrt(f1)]
  })
  const hv = hypervolume(pts, [11, 11])
  assert.ok(hv < 120 + 2 / 3 && hv > 120 + 2 / 3 - 1e-3, String(hv))
})

test('bad input is refused with what is wrong', () => {
  assert.throws(() => hypervolume([[1, 2, 3]], [4, 4]), /point 0 has 3 coordinates, the reference has 2/)
  assert.throws(() => hypervolume([[1]], [Infinity]), /reference coordinate 0 is Infinity/)
  assert.throws(() => hypervolume([], []), /no coordinates/)
})
