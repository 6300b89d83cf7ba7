import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRng, deriveSeed } from '../core/rng.ts'

test('rng is deterministic per seed and round-trips its state', () => {
  const a = createRng(42)
  const b = createRng(42)
  const xs = Array.from({ length: 5 }, () => a.next())
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()))
  assert.ok(xs.every((x) => x >= 0 && x < 1))
  const resumed = createRng(a.state())
  assert.equal(resumed.next(), a.next())
  assert.notEqual(createRng(43).next(), createRng(42).next())
  assert.notEqual(deriveSeed(1, 0), deriveSeed(1, 1))
})
