import { test } from 'node:test'
import assert from 'node:assert/strict'
import { dominates } from '../../../core/multiobjective/dominates.ts'
import { nonDominatedSort } from '../../../core/multiobjective/non-dominated-sort.ts'
import { paretoFront } from '../../../core/multiobjective/pareto-front.ts'
import { createRng } from '../../../core/rng.ts'

test('dominates: no worse everywhere and better somewhere; equal vectors do not dominate', () => {
  assert.equal(dominates([1, 2], [1, 3]), true)
  assert.equal(dominates([1, 3], [1, 2]), false)
  assert.equal(dominates([1, 2], [1, 2]), false)
  assert.equal(dominates([0, 5], [1, 2]), false)
  assert.equal(dominates([0, 0, 0], [1, 1, 1]), true)
  assert.equal(dominates([NaN, 0], [1, 1]), false)
  assert.equal(dominates([1, 1], [NaN, 2]), false)
  assert.throws(() => dominates([1], [1, 2]), /different lengths/)
})

test('paretoFront: the non-dominated indices, ascending, duplicates kept', () => {
  const pts = [[3, 1], [1, 3], [2, 2], [2, 3], [1, 3], [4, 4], [0.5, 5]]
  assert.deepEqual(paretoFront(pts), [0, 1, 2, 4, 6])
  assert.deepEqual(paretoFront([]), [])
  assert.deepEqual(paretoFront([[5, 5, 5], [1, 1, 1], [1, 1, 2]]), [1])
})

test('nonDominatedSort: fronts in order, equal points together, every index once', () => {
  const pts = [[1, 1], [2, 2], [3, 3], [2, 2], [1, 4], [4, 1], [5, 5]]
  assert.deepEqual(nonDominatedSort(pts), [[0], [1, 3, 4, 5], [2], [6]])
  assert.deepEqual(nonDominatedSort([]), [])
  assert.throws(() => nonDominatedSort([[1, 2], [1]]), /point 1 has 1 coordinates/)
})

test('nonDominatedSort agrees with repeatedly peeling paretoFront on random 3-D sets', () => {
  const rng = createRng(3)
  for (let round = 0; round < 20; round++) {
    const pts = Array.from({ length: 60 }, () => [rng.int(5), rng.int(5), rng.int(5)])
    const fronts = nonDominatedSort(pts)
    let remaining = pts.map((_, i) => i)
    for (const front of fronts) {
      const peeled = paretoFront(remaining.map((i) => pts[i]!)).map((k) => remaining[k]!)
      assert.deepEqual(front, peeled)
      remaining = remaining.filter((i) => !front.includes(i))
      // Nothing in a later front dominates anything in this one.
      for (const i of front) for (const j of remaining) assert.equal(dominates(pts[j]!, pts[i]!), false)
    }
    assert.equal(remaining.length, 0)
  }
})
