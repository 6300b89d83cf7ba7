import { test } from 'node:test'
import assert from 'node:assert/strict'
import { safeVersion } from '../../db/safe-list-version.ts'

const ids = (list: readonly (number | `${number}!`)[]) =>
  list.map((x) => (typeof x === 'number' ? { id: x, young: false } : { id: Number(x.slice(0, -1)), young: true }))

test('a list hands out the latest id when no id below it is missing', () => {
  assert.equal(safeVersion(0, 5, ids([1, 2, 3, 4, '5!'])), 5)
})

test('a missing id with a younger change above it may still commit: the version stays below it', () => {
  // 3 was drawn just before 4, a recent change: its transaction may still be running.
  assert.equal(safeVersion(0, 5, ids([1, 2, '4!', 5])), 2)
  // The lowest such gap counts.
  assert.equal(safeVersion(0, 9, ids(['2!', 4, '5!', '9!'])), 0)
  assert.equal(safeVersion(10, 14, ids(['12!', 13, 14])), 10)
})

test('gaps with only old changes above them are rolled back: they never hold the version back', () => {
  assert.equal(safeVersion(0, 6, ids([1, 2, 4, 6])), 6)
  assert.equal(safeVersion(0, 5, ids([1, 2, 4, '5!'])), 5)
  // An old gap under an old change counts for nothing, even with a young change further up.
  assert.equal(safeVersion(0, 8, ids([1, 3, 4, 6, '8!'])), 6)
})

test('nothing in the window: the latest id', () => {
  assert.equal(safeVersion(5, 5, []), 5)
})
