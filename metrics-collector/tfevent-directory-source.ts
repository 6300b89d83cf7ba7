import { readdirSync, statSync } from 'node:fs'
import { open, readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { MetricPoint } from '../core/metric.ts'
import { maskedCrc32c } from './crc32c.ts'
import type { PointSource } from './metrics-forwarder.ts'
import { decodeTfEvent, ProtobufError } from './tf-event.ts'

export interface TfEventDirectorySourceOptions {
  /** Said once per file that cannot be read on (a broken checksum, not an event file). */
  readonly onProblem?: (message: string) => void
  /**
   * Read only what is written from now on: the folder is shared and may hold an earlier trial's
   * event files that were not ours to delete (a file that shrinks later is read from its start).
   */
  readonly skipExisting?: boolean
}

const HEADER_BYTES = 12
const FOOTER_BYTES = 4

/**
 * Katib's TensorFlowEvent collector: the scalar summaries of every TensorFlow event file
 * (`*tfevents*`) below a folder, read record by record as the files grow (TFRecord framing:
 * length, its checksum, the Event, its checksum; a record still being written is read at the
 * next poll). A metric name matches a summary tag; `<folder>/<tag>` (Katib's form, e.g.
 * `test/accuracy`) matches the tag only in event files under a folder of that name. Each point
 * keeps its event's step and wall time, so reading a file again yields the same points.
 */
export class TfEventDirectorySource implements PointSource {
  readonly #root: string
  readonly #names: readonly string[]
  readonly #options: TfEventDirectorySourceOptions
  readonly #offsets = new Map<string, number>()
  readonly #broken = new Set<string>()
  #queue: Promise<unknown> = Promise.resolve()

  constructor(root: string, metricNames: readonly string[], options: TfEventDirectorySourceOptions = {}) {
    this.#root = root
    this.#names = metricNames.filter((name) => name !== '')
    this.#options = options
    if (options.skipExisting) for (const [file, size] of eventFileSizesSync(root)) this.#offsets.set(file, size)
  }

  poll(): Promise<MetricPoint[]> {
    return this.#serial(() => this.#read())
  }

  /** Records are whole or not there yet: the end reads what poll would. */
  finish(): Promise<MetricPoint[]> {
    return this.poll()
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work)
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #read(): Promise<MetricPoint[]> {
    const points: MetricPoint[] = []
    for (const file of await eventFiles(this.#root)) {
      if (this.#broken.has(file)) continue
      try {
        await this.#readFile(file, points)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
        this.#broken.add(file)
        this.#options.onProblem?.(`${file}: ${(error as Error).message}; the rest of this file is not read`)
      }
    }
    return points
  }

  async #readFile(file: string, points: MetricPoint[]): Promise<void> {
    const handle = await open(file, 'r')
    let data: Buffer
    let offset = this.#offsets.get(file) ?? 0
    try {
      const { size } = await handle.stat()
      if (size < offset) offset = 0
      if (size === offset) return
      data = Buffer.alloc(size - offset)
      const { bytesRead } = await handle.read(data, 0, data.length, offset)
      data = data.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
    const folder = relative(this.#root, join(file, '..')).split(sep).join('/')
    let at = 0
    while (data.length - at >= HEADER_BYTES) {
      const length = data.readBigUInt64LE(at)
      if (data.readUInt32LE(at + 8) !== maskedCrc32c(data.subarray(at, at + 8))) throw new Error(`record at byte ${offset + at} has a broken length checksum (not a TFRecord file?)`)
      const end = at + HEADER_BYTES + Number(length) + FOOTER_BYTES
      if (length > BigInt(data.length) || end > data.length) break
      const record = data.subarray(at + HEADER_BYTES, end - FOOTER_BYTES)
      if (data.readUInt32LE(end - FOOTER_BYTES) !== maskedCrc32c(record)) throw new Error(`record at byte ${offset + at} has a broken data checksum`)
      let event
      try {
        event = decodeTfEvent(record)
      } catch (error) {
        if (!(error instanceof ProtobufError)) throw error
        throw new Error(`record at byte ${offset + at} is no TensorFlow Event: ${error.message}`)
      }
      at = end
      if (!event) continue
      for (const scalar of event.scalars) {
        for (const name of this.#names) {
          if (!matches(name, scalar.tag, folder)) continue
          points.push({ name, step: event.step, value: scalar.value, at: new Date(event.wallTime * 1000) })
        }
      }
    }
    this.#offsets.set(file, offset + at)
  }
}

/** `accuracy` matches tag accuracy anywhere; `test/accuracy` only in event files in a folder whose path ends with `test`. */
function matches(metric: string, tag: string, folder: string): boolean {
  const slash = metric.lastIndexOf('/')
  if (metric === tag) return true
  if (slash <= 0) return false
  const wanted = metric.slice(0, slash)
  return metric.slice(slash + 1) === tag && (folder === wanted || folder.endsWith(`/${wanted}`))
}

/** The event files below `root` with their sizes now (a missing folder, or a file gone meanwhile: none). */
function eventFileSizesSync(root: string): [string, number][] {
  const sizes: [string, number][] = []
  try {
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.includes('tfevents')) continue
      const file = join(entry.parentPath, entry.name)
      sizes.push([file, statSync(file, { throwIfNoEntry: false })?.size ?? 0])
    }
  } catch {
    // Not there yet (or unreadable, which the first poll reports): nothing to skip.
  }
  return sizes
}

/** The event files below `root`, sorted (a missing folder has none yet). */
async function eventFiles(root: string): Promise<string[]> {
  let entries
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  return entries
    .filter((entry) => entry.isFile() && entry.name.includes('tfevents'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}
