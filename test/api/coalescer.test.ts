import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Coalescer } from '../../api/coalescer.ts'

/** A batch function that records its batches and answers each item doubled once released. */
function recorder() {
  const batches: { key: string; items: number[] }[] = []
  const gates: (() => void)[] = []
  const run = async (key: string, items: readonly number[]) => {
    batches.push({ key, items: [...items] })
    await new Promise<void>((resolve) => gates.push(resolve))
    if (items.includes(13)) throw new Error('unlucky')
    return items.map((i) => i * 2)
  }
  const release = async () => {
    while (gates.length > 0) gates.shift()!()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { batches, run, release }
}

describe('Coalescer', () => {
  test('a lone item runs at once; items arriving while a batch runs go together as the next, answered in order', async () => {
    const r = recorder()
    const c = new Coalescer(r.run)
    const first = c.run('a', 1)
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(r.batches, [{ key: 'a', items: [1] }])
    const rest = [2, 3, 4].map((i) => c.run('a', i))
    assert.equal(r.batches.length, 1, 'the others wait for the batch in flight')
    await r.release()
    assert.equal(await first, 2)
    assert.deepEqual(r.batches[1], { key: 'a', items: [2, 3, 4] })
    await r.release()
    assert.deepEqual(await Promise.all(rest), [4, 6, 8])
  })

  test('keys are independent, maxBatch splits a queue, maxInFlight lets several batches run', async () => {
    const r = recorder()
    const c = new Coalescer(r.run, { maxBatch: 2, maxInFlight: 2 })
    const all = [c.run('a', 1), c.run('a', 2), c.run('a', 3), c.run('b', 4), c.run('a', 5), c.run('a', 6)]
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(r.batches, [{ key: 'a', items: [1] }, { key: 'a', items: [2] }, { key: 'b', items: [4] }])
    await r.release()
    assert.deepEqual(r.batches.slice(3), [{ key: 'a', items: [3, 5] }, { key: 'a', items: [6] }])
    await r.release()
    assert.deepEqual(await Promise.all(all), [2, 4, 6, 8, 10, 12])
  })

  test('a failed batch is run again item by item: only the item that fails is refused', async () => {
    const r = recorder()
    const c = new Coalescer(r.run)
    const first = c.run('a', 1)
    const batch = [12, 13, 14].map((i) => c.run('a', i).then((v) => ({ v }), (e: Error) => ({ e: e.message })))
    await r.release()
    await first
    await r.release()
    await r.release()
    assert.deepEqual(await Promise.all(batch), [{ v: 24 }, { e: 'unlucky' }, { v: 28 }])
    assert.deepEqual(r.batches.map((b) => b.items), [[1], [12, 13, 14], [12], [13], [14]])
  })

  test('a batch function answering the wrong number of results fails its items, not the process', async () => {
    const c = new Coalescer<string, number, number>(async () => [])
    await assert.rejects(c.run('a', 1), /a batch of 1 answered 0 results/)
  })
})
