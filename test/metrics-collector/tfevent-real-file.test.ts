import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TfEventDirectorySource } from '../../metrics-collector/tfevent-directory-source.ts'
// @ts-expect-error: a plain JavaScript fixture, written independently of the reader.
import { scalarEvent, tfrecord } from '../fixtures/trials/tfevent-writer.mjs'

// Written by TensorBoard 2.21.0's own EventFileWriter and protobuf (see make-tensorboard-events.py beside it).
const REAL = fileURLToPath(new URL('../fixtures/tfevents/tensorboard-2.21.0.tfevents', import.meta.url))

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tunewell-tfevent-real-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const show = (pts: ReadonlyArray<{ name: string; step: number; value: number; at: Date }>): string[] =>
  pts.map((p) => `${p.name}@${p.step}=${p.value} ${p.at.toISOString()}`)

test('a file written by TensorBoard itself: simple_value, a TF2 float tensor and a double tensor, with steps and wall times; histograms and text are skipped', () =>
  withDir(async (dir) => {
    await mkdir(join(dir, 'test'))
    await copyFile(REAL, join(dir, 'test', 'tensorboard-2.21.0.tfevents'))
    const source = new TfEventDirectorySource(dir, ['accuracy', 'loss', 'lr', 'weights', 'note'])
    const points = show(await source.poll())
    assert.deepEqual(points.filter((p) => p.startsWith('loss')), [
      'loss@1=0.5 2023-11-14T22:13:21.500Z', 'loss@2=0.25 2023-11-14T22:13:22.500Z', 'loss@3=0.125 2023-11-14T22:13:23.500Z',
    ])
    assert.deepEqual(points.filter((p) => p.startsWith('accuracy')), [
      'accuracy@1=0.75 2023-11-14T22:13:21.500Z', 'accuracy@2=0.875 2023-11-14T22:13:22.500Z', 'accuracy@3=0.9375 2023-11-14T22:13:23.500Z',
    ])
    assert.deepEqual(points.filter((p) => p.startsWith('lr')), [
      'lr@1=0.001 2023-11-14T22:13:21.500Z', 'lr@2=0.0005 2023-11-14T22:13:22.500Z', 'lr@3=0.00025 2023-11-14T22:13:23.500Z',
    ])
    assert.equal(points.length, 9, 'no point for the histogram or the text summary')
    // Katib's `<folder>/<tag>` form: the same tag only from the event files under `test`.
    const scoped = new TfEventDirectorySource(dir, ['test/loss', 'train/loss'])
    assert.deepEqual(show(await scoped.poll()).map((p) => p.split(' ')[0]), ['test/loss@1=0.5', 'test/loss@2=0.25', 'test/loss@3=0.125'])
  }))

test('skipExisting: a shared folder\'s earlier event files and bytes are not this trial\'s; what is written after is', () =>
  withDir(async (dir) => {
    const old = join(dir, 'events.out.tfevents.1.host.1.0')
    await copyFile(REAL, old)
    const source = new TfEventDirectorySource(dir, ['loss'], { skipExisting: true })
    assert.deepEqual(await source.poll(), [], 'the earlier trial\'s file is skipped')
    const mine = join(dir, 'events.out.tfevents.2.host.2.0')
    await writeFile(mine, tfrecord(scalarEvent({ wallTime: 1_700_000_100, step: 4, values: { loss: 0.0625 } })))
    assert.deepEqual(show(await source.finish()), ['loss@4=0.0625 2023-11-14T22:15:00.000Z'])
    const fresh = new TfEventDirectorySource(dir, ['loss'])
    assert.equal((await fresh.poll()).length, 4, 'without skipExisting, both files are read')
  }))
