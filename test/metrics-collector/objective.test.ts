import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { MetricPoint } from '../../core/metric.ts'
import { pickObjective, summarize } from '../../metrics-collector/objective.ts'

const pt = (name: string, step: number, value: number): MetricPoint => ({ name, step, value, at: new Date(0) })

test('summarize gives min, max, latest (highest step) and count per metric', () => {
  const s = summarize([pt('loss', 2, 0.5), pt('loss', 0, 2), pt('loss', 1, 0.25), pt('acc', 0, 0.9)])
  assert.deepEqual(s, {
    loss: { min: 0.25, max: 2, latest: 0.5, count: 3 },
    acc: { min: 0.9, max: 0.9, latest: 0.9, count: 1 },
  })
})

test('non-finite values are ignored; a metric with only non-finite values is absent', () => {
  const s = summarize([pt('loss', 0, 1), pt('loss', 1, NaN), pt('loss', 2, Infinity), pt('div', 0, NaN)])
  assert.deepEqual(s, { loss: { min: 1, max: 1, latest: 1, count: 1 } })
})

test('equal steps: the later point wins latest', () => {
  assert.equal(summarize([pt('loss', 3, 1), pt('loss', 3, 2)]).loss.latest, 2)
  assert.deepEqual(summarize([]), {})
})

test('a metric named __proto__ is an ordinary key', () => {
  const s = summarize([pt('__proto__', 0, 1)])
  assert.deepEqual(Object.keys(s), ['__proto__'])
  assert.equal(Object.getPrototypeOf(s), Object.prototype)
})

test('pickObjective follows the metric strategy', () => {
  const loss = summarize([pt('loss', 0, 3), pt('loss', 1, 1), pt('loss', 2, 2)]).loss
  assert.equal(pickObjective(loss, 'min'), 1)
  assert.equal(pickObjective(loss, 'max'), 3)
  assert.equal(pickObjective(loss, 'latest'), 2)
  assert.equal(pickObjective(undefined, 'min'), undefined)
  assert.equal(pickObjective({ min: NaN, max: NaN, latest: NaN }, 'latest'), undefined)
})

const at = (name: string, step: number, value: number, iso: string): MetricPoint => ({ name, step, value, at: new Date(iso) })

test('latest is the point with the newest timestamp, as Katib\'s trial controller picks it, not the highest step', () => {
  // A program that re-evaluates an earlier checkpoint last reports a lower step later.
  const s = summarize([
    at('acc', 5, 0.9, '2026-01-01T00:00:05Z'),
    at('acc', 9, 0.6, '2026-01-01T00:00:09Z'),
    at('acc', 3, 0.7, '2026-01-01T00:00:12Z'),
    at('acc', 7, 0.1, '2026-01-01T00:00:07Z'),
  ])
  assert.deepEqual(s.acc, { min: 0.1, max: 0.9, latest: 0.7, count: 4 })
  assert.equal(pickObjective(s.acc, 'latest'), 0.7)
})

test('latest among equal timestamps (lines without one, read together; seconds-only stamps) is the higher step', () => {
  const t = '2026-01-01T00:00:00Z'
  assert.equal(summarize([at('loss', 2, 0.5, t), at('loss', 4, 0.2, t), at('loss', 3, 0.3, t)]).loss.latest, 0.2)
  // The order the points come in does not matter.
  assert.equal(summarize([at('loss', 4, 0.2, t), at('loss', 2, 0.5, t)]).loss.latest, 0.2)
  // A later timestamp beats a higher step; an invalid date loses to any valid one.
  assert.equal(summarize([at('loss', 9, 0.9, t), at('loss', 1, 0.1, '2026-01-01T00:00:01Z')]).loss.latest, 0.1)
  assert.equal(summarize([{ name: 'loss', step: 9, value: 0.9, at: new Date(Number.NaN) }, at('loss', 1, 0.1, t)]).loss.latest, 0.1)
})
