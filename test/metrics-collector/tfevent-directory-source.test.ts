import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32c } from '../../metrics-collector/crc32c.ts'
import { TfEventDirectorySource } from '../../metrics-collector/tfevent-directory-source.ts'
// @ts-expect-error: a plain JavaScript fixture, written independently of the reader.
import { fileVersionEvent, scalarEvent, tfrecord } from '../fixtures/trials/tfevent-writer.mjs'

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tunewell-tfevent-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const show = (pts: ReadonlyArray<{ name: string; step: number; value: number; at: Date }>): string[] =>
  pts.map((p) => `${p.name}@${p.step}=${Math.round(p.value * 1000) / 1000} ${p.at.toISOString()}`)

const T = 1_700_000_000

test('CRC-32C is Castagnoli\'s (the check value of "123456789")', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283)
})

test('reads scalar summaries as the event file grows: TF1 simple_value and TF2 tensors, each with its event\'s step and wall time', () =>
  withDir(async (dir) => {
    const source = new TfEventDirectorySource(dir, ['accuracy', 'loss'])
    assert.deepEqual(await source.poll(), [], 'no folder yet, no points')
    const file = join(dir, 'events.out.tfevents.1700000000.host.1.0')
    await writeFile(file, tfrecord(fileVersionEvent(T)))
    await appendFile(file, tfrecord(scalarEvent({ wallTime: T + 1, step: 1, values: { loss: 0.5, other: 7 } })))
    await appendFile(file, tfrecord(scalarEvent({ wallTime: T + 1, step: 1, values: { accuracy: 0.25 }, tensor: true })))
    assert.deepEqual(show(await source.poll()), ['loss@1=0.5 2023-11-14T22:13:21.000Z', 'accuracy@1=0.25 2023-11-14T22:13:21.000Z'])
    // A record half written is read once it is whole.
    const next = tfrecord(scalarEvent({ wallTime: T + 2, step: 2, values: { loss: 0.125 } }))
    await appendFile(file, next.subarray(0, 15))
    assert.deepEqual(await source.poll(), [])
    await appendFile(file, next.subarray(15))
    assert.deepEqual(show(await source.finish()), ['loss@2=0.125 2023-11-14T22:13:22.000Z'])
    assert.deepEqual(await source.poll(), [])
    // Read again from the start, the file gives the very same points (a restarted collector rewrites the same rows).
    const again = new TfEventDirectorySource(dir, ['accuracy', 'loss'])
    assert.equal((await again.poll()).length, 3)
  }))

test('a metric named <folder>/<tag> (Katib\'s form) takes the tag only from event files in that folder; a plain name from any', () =>
  withDir(async (dir) => {
    for (const [folder, value] of [['train', 0.9], ['test', 0.7]] as const) {
      await mkdir(join(dir, folder))
      await writeFile(join(dir, folder, 'events.out.tfevents.1.h'), tfrecord(scalarEvent({ wallTime: T, step: 3, values: { accuracy: value } })))
    }
    const points = await new TfEventDirectorySource(dir, ['test/accuracy', 'loss']).poll()
    assert.deepEqual(show(points), ['test/accuracy@3=0.7 2023-11-14T22:13:20.000Z'])
    const any = await new TfEventDirectorySource(dir, ['accuracy']).poll()
    assert.deepEqual(show(any).sort(), ['accuracy@3=0.7 2023-11-14T22:13:20.000Z', 'accuracy@3=0.9 2023-11-14T22:13:20.000Z'])
  }))

test('a file that is no TFRecord is reported once and skipped; other files and other names are not read', () =>
  withDir(async (dir) => {
    const problems: string[] = []
    await writeFile(join(dir, 'events.out.tfevents.bad'), 'loss=1\nthis is text, not records\n')
    await writeFile(join(dir, 'notes.txt'), tfrecord(scalarEvent({ wallTime: T, step: 1, values: { loss: 9 } })))
    await writeFile(join(dir, 'events.out.tfevents.good'), tfrecord(scalarEvent({ wallTime: T, step: 1, values: { loss: 1 } })))
    const source = new TfEventDirectorySource(dir, ['loss'], { onProblem: (m) => problems.push(m) })
    assert.deepEqual(show(await source.poll()), ['loss@1=1 2023-11-14T22:13:20.000Z'])
    assert.deepEqual(await source.poll(), [])
    assert.equal(problems.length, 1)
    assert.match(problems[0]!, /events\.out\.tfevents\.bad: record at byte 0 has a broken length checksum/)
  }))
