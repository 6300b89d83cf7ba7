import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FileMetricsSource } from '../../metrics-collector/file-metrics-source.ts'
import { JsonMetricsParser } from '../../metrics-collector/json-metrics-parser.ts'
import { TextMetricsParser } from '../../metrics-collector/text-metrics-parser.ts'

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tunewell-file-source-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const show = (pts: ReadonlyArray<{ name: string; step: number; value: number }>): string[] =>
  pts.map((p) => `${p.name}@${p.step}=${p.value}`)

test('tails a file: nothing before it exists, then only new complete lines', () =>
  withDir(async (dir) => {
    const path = join(dir, 'metrics.log')
    const src = new FileMetricsSource(path, new TextMetricsParser({ metricNames: ['loss'] }))
    assert.deepEqual(await src.poll(), [])
    await writeFile(path, 'epoch 0 loss=3\nepoch 1 loss=2\nepoch 2 lo')
    assert.deepEqual(show(await src.poll()), ['loss@0=3', 'loss@1=2'])
    assert.deepEqual(await src.poll(), [])
    await appendFile(path, 'ss=1\nepoch 3 loss=0.5')
    assert.deepEqual(show(await src.poll()), ['loss@2=1'])
    // The trial ended without a final newline: finish() still takes the last line.
    assert.deepEqual(show(await src.finish()), ['loss@3=0.5'])
    assert.equal(src.offset, Buffer.byteLength('epoch 0 loss=3\nepoch 1 loss=2\nepoch 2 loss=1\nepoch 3 loss=0.5'))
  }))

test('a truncated file is read again from the start; steps keep counting', () =>
  withDir(async (dir) => {
    const path = join(dir, 'metrics.log')
    const src = new FileMetricsSource(path, new TextMetricsParser({ metricNames: ['loss'] }))
    await writeFile(path, 'loss=5\nloss=4\nloss=3\n')
    assert.deepEqual(show(await src.poll()), ['loss@0=5', 'loss@1=4', 'loss@2=3'])
    await truncate(path, 0)
    await appendFile(path, 'loss=9\n')
    assert.deepEqual(show(await src.poll()), ['loss@3=9'])
  }))

test('a file replaced by a new one is read from the start even when it is not shorter', () =>
  withDir(async (dir) => {
    const path = join(dir, 'metrics.log')
    const src = new FileMetricsSource(path, new TextMetricsParser({ metricNames: ['loss'] }))
    await writeFile(path, 'loss=1\n')
    assert.deepEqual(show(await src.poll()), ['loss@0=1'])
    // Written while the old file still exists, so it cannot reuse the old inode.
    await writeFile(join(dir, 'new.log'), 'loss=7\nloss=6\n')
    await rm(path)
    assert.deepEqual(await src.poll(), [])
    await rename(join(dir, 'new.log'), path)
    assert.deepEqual(show(await src.poll()), ['loss@1=7', 'loss@2=6'])
  }))

test('finish() on a file that never appeared returns nothing; JSON files work the same way', () =>
  withDir(async (dir) => {
    const missing = new FileMetricsSource(join(dir, 'never.json'), new JsonMetricsParser({ metricNames: ['acc'] }))
    assert.deepEqual(await missing.finish(), [])
    const path = join(dir, 'metrics.json')
    const parser = new JsonMetricsParser({ metricNames: ['acc'] })
    const src = new FileMetricsSource(path, parser, { now: () => new Date(0) })
    await writeFile(path, '{"epoch": 1, "acc": 0.5}\r\nnot json\r\n{"epoch": 2, "acc": "0.75"}')
    const polled = await src.poll()
    assert.deepEqual(show(polled), ['acc@1=0.5'])
    assert.deepEqual(polled[0].at, new Date(0))
    assert.deepEqual(show(await src.finish()), ['acc@2=0.75'])
    assert.equal(parser.garbageCount, 1)
  }))

test('concurrent polls never read a line twice', () =>
  withDir(async (dir) => {
    const path = join(dir, 'metrics.log')
    const lines = Array.from({ length: 2000 }, (_, i) => `step ${i} loss=${i}`).join('\n') + '\n'
    await writeFile(path, lines)
    const src = new FileMetricsSource(path, new TextMetricsParser({ metricNames: ['loss'] }))
    const results = await Promise.all([src.poll(), src.poll(), src.poll(), src.finish()])
    const all = results.flat()
    assert.equal(all.length, 2000)
    assert.deepEqual(
      all.map((p) => p.value),
      Array.from({ length: 2000 }, (_, i) => i),
    )
  }))
