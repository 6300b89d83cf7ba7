import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { MetricPoint } from '../../core/metric.ts'
import type { Store } from '../../db/store.ts'
import { summarize } from '../../metrics-collector/objective.ts'
import { openTestStore } from '../helpers/test-store.ts'
import { opaqueSpec } from '../helpers/opaque-spec.ts'

let store: Store
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store?.destroy()
})

const point = (name: string, step: number, value: number, iso: string): MetricPoint => ({ name, step, value, at: new Date(iso) })

// A lower step reported later (a re-evaluated checkpoint), one second-resolution timestamp shared
// by two steps, and a non-finite value with the newest timestamp of all.
const POINTS = [
  point('acc', 5, 0.9, '2026-01-01T00:00:05Z'),
  point('acc', 9, 0.6, '2026-01-01T00:00:09Z'),
  point('acc', 3, 0.7, '2026-01-01T00:00:12Z'),
  point('loss', 1, 0.4, '2026-01-01T00:00:03Z'),
  point('loss', 2, 0.3, '2026-01-01T00:00:03Z'),
  point('loss', 0, 0.5, '2026-01-01T00:00:02Z'),
  point('acc', 10, Number.NaN, '2026-01-01T00:00:30Z'),
]

test('the store\'s summaries take latest by timestamp, then step, as summarize() does: the trial\'s summary and the tell path\'s', async () => {
  const e = await store.experiments.create({ name: `latest-${randomUUID().slice(0, 8)}`, spec: opaqueSpec({}), seed: 1 })
  const [trial] = await store.trials.createMany(e.id, [{ name: `${e.name}-0`, params: { x: 1 } }])
  await store.observations.append(trial!.id, POINTS.slice(0, 4))
  await store.observations.append(trial!.id, POINTS.slice(4))
  const expected = { acc: { min: 0.6, max: 0.9, latest: 0.7, count: 3 }, loss: { min: 0.3, max: 0.5, latest: 0.3, count: 3 } }
  assert.deepEqual(summarize(POINTS), expected)
  assert.deepEqual(await store.observations.summarize(trial!.id), expected)
  const [found] = await store.trials.findByNames([{ experimentName: e.name, trialName: trial!.name }], { points: true })
  assert.deepEqual(found!.points, {
    acc: { lastStep: 10, finite: expected.acc },
    loss: { lastStep: 2, finite: expected.loss },
  })
})
