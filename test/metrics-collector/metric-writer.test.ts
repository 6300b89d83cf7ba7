import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import type { MetricPoint } from '../../core/metric.ts'
import type { ObservationStore } from '../../db/store.ts'
import { MetricWriter } from '../../metrics-collector/metric-writer.ts'

/** An in-memory append that can be told to fail, and records how calls overlapped. */
class FakeStore implements Pick<ObservationStore, 'append'> {
  readonly calls: Array<{ trialId: string; points: MetricPoint[] }> = []
  readonly rows = new Map<string, MetricPoint>()
  failuresLeft = 0
  delayMs = 0
  inFlight = 0
  maxInFlight = 0

  async append(trialId: string, points: readonly MetricPoint[]): Promise<void> {
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    try {
      if (this.delayMs > 0) await sleep(this.delayMs)
      this.calls.push({ trialId, points: [...points] })
      if (this.failuresLeft > 0) {
        this.failuresLeft--
        throw new Error('database is down')
      }
      for (const p of points) this.rows.set(`${p.name}@${p.step}`, p)
    } finally {
      this.inFlight--
    }
  }
}

const pt = (name: string, step: number, value = step): MetricPoint => ({ name, step, value, at: new Date(0) })

test('points are batched until flush; a full batch is written without waiting', async () => {
  const store = new FakeStore()
  const w = new MetricWriter(store, 't1', { maxBatch: 3, flushMs: 60_000 })
  w.add([pt('loss', 0), pt('loss', 1)])
  await sleep(5)
  assert.equal(store.calls.length, 0)
  w.add([pt('loss', 2), pt('loss', 3)])
  await sleep(5)
  // The full batch went out alone; the remainder waits for the next flush.
  assert.deepEqual(store.calls.map((c) => c.points.length), [3, 1])
  await w.close()
  assert.equal(store.rows.size, 4)
  assert.ok(store.calls.every((c) => c.trialId === 't1'))
})

test('the timer flushes a partial batch after flushMs', async () => {
  const store = new FakeStore()
  const w = new MetricWriter(store, 't', { flushMs: 20 })
  w.add([pt('acc', 0)])
  assert.equal(store.calls.length, 0)
  await sleep(80)
  assert.equal(store.calls.length, 1)
  await w.close()
})

test('a failing store loses nothing: flush rejects, keeps the points, and the next flush writes them', async () => {
  const store = new FakeStore()
  store.failuresLeft = 2
  const w = new MetricWriter(store, 't', { flushMs: 60_000 })
  w.add([pt('loss', 0), pt('loss', 1)])
  await assert.rejects(w.flush(), /database is down/)
  assert.equal(w.pendingCount, 2)
  assert.match(String(w.lastError), /database is down/)
  w.add([pt('loss', 2)])
  await assert.rejects(w.flush(), /database is down/)
  await w.flush()
  assert.equal(w.pendingCount, 0)
  assert.equal(w.lastError, undefined)
  assert.deepEqual([...store.rows.keys()].sort(), ['loss@0', 'loss@1', 'loss@2'])
  // The retried batch kept the failed points first, in arrival order.
  assert.deepEqual(store.calls.at(-1)!.points.map((p) => p.step), [0, 1, 2])
  await w.close()
})

test('close() retries a failing final flush with backoff and then succeeds', async () => {
  const store = new FakeStore()
  store.failuresLeft = 2
  const w = new MetricWriter(store, 't', { flushMs: 60_000, retryDelayMs: 10 })
  w.add([pt('loss', 0)])
  const started = Date.now()
  await w.close()
  assert.equal(store.calls.length, 3)
  assert.ok(Date.now() - started >= 25, 'waited 10 ms then 20 ms between tries')
  assert.equal(store.rows.size, 1)
  assert.throws(() => w.add([pt('loss', 1)]), /closed/)
})

test('close() rejects when the store still fails after 3 tries, and keeps the points', async () => {
  const store = new FakeStore()
  store.failuresLeft = 100
  const w = new MetricWriter(store, 'trial-x', { retryDelayMs: 1 })
  w.add([pt('loss', 0), pt('acc', 0)])
  await assert.rejects(w.close(), /could not write 2 metric points of trial trial-x after 3 tries: database is down/)
  assert.equal(store.calls.length, 3)
  assert.equal(w.pendingCount, 2)
})

test('a background failure is retried by the timer without new points', async () => {
  const store = new FakeStore()
  store.failuresLeft = 1
  const w = new MetricWriter(store, 't', { flushMs: 10 })
  w.add([pt('loss', 0)])
  await sleep(100)
  assert.ok(store.calls.length >= 2)
  assert.equal(store.rows.size, 1)
  await w.close()
})

test('never two appends in flight, however flushes and batches pile up', async () => {
  const store = new FakeStore()
  store.delayMs = 5
  const w = new MetricWriter(store, 't', { maxBatch: 2, flushMs: 1 })
  for (let i = 0; i < 20; i++) {
    w.add([pt('loss', i)])
    if (i % 3 === 0) void w.flush()
  }
  await w.close()
  assert.equal(store.maxInFlight, 1)
  assert.equal(store.rows.size, 20)
})

test('the same metric and step sent twice before a flush is written once, last value wins', async () => {
  const store = new FakeStore()
  const w = new MetricWriter(store, 't', { flushMs: 60_000 })
  w.add([pt('loss', 0, 5), pt('loss', 1, 4)])
  w.add([pt('loss', 0, 3)])
  await w.close()
  assert.equal(store.calls.length, 1)
  assert.deepEqual(
    store.calls[0].points.map((p) => [p.step, p.value]),
    [
      [1, 4],
      [0, 3],
    ],
  )
})

test('a point re-sent while its older value is failing is not overwritten by the retry', async () => {
  const store = new FakeStore()
  store.failuresLeft = 1
  store.delayMs = 10
  const w = new MetricWriter(store, 't', { flushMs: 60_000 })
  w.add([pt('loss', 0, 1)])
  const failing = w.flush()
  w.add([pt('loss', 0, 2)])
  await assert.rejects(failing)
  await w.close()
  assert.equal(store.rows.get('loss@0')!.value, 2)
})

test('no timer outlives close(): a failed close is not retried in the background', async () => {
  const store = new FakeStore()
  store.failuresLeft = 100
  const w = new MetricWriter(store, 't', { flushMs: 10, retryDelayMs: 1 })
  w.add([pt('loss', 0)])
  await assert.rejects(w.close())
  const calls = store.calls.length
  await sleep(60)
  assert.equal(store.calls.length, calls)
})

test('close() with nothing pending writes nothing', async () => {
  const store = new FakeStore()
  const w = new MetricWriter(store, 't')
  w.add([])
  await w.close()
  assert.equal(store.calls.length, 0)
})
