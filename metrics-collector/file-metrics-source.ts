import { statSync } from 'node:fs'
import { open } from 'node:fs/promises'
import type { MetricPoint } from '../core/metric.ts'
import { LineSplitter } from './line-splitter.ts'
import type { MetricsParser } from './metrics-parser.ts'

export interface FileMetricsSourceOptions {
  /** Stamp for lines without a timestamp; default the wall clock at read time. */
  readonly now?: () => Date
  /**
   * Read only what is written from now on: the file may hold an earlier trial's lines that were
   * not ours to delete. A file that shrinks or is replaced later is read from its start.
   */
  readonly skipExisting?: boolean
}

const CHUNK_BYTES = 64 * 1024

/**
 * Tails a metrics file by byte offset while the trial runs, so metrics arrive during training
 * (Katib's sidecar only reports once, after the process exits).
 */
export class FileMetricsSource {
  readonly #path: string
  readonly #parser: MetricsParser
  readonly #now: () => Date
  #splitter = new LineSplitter()
  #offset = 0
  #ino: number | undefined
  // poll() and finish() share the offset and the splitter; running them one at a time keeps
  // a line from being read twice.
  #queue: Promise<unknown> = Promise.resolve()

  /** `path`: the metrics file (Katib `fileSystemPath.path`, or a captured stdout log). */
  constructor(path: string, parser: MetricsParser, opts: FileMetricsSourceOptions = {}) {
    this.#path = path
    this.#parser = parser
    this.#now = opts.now ?? (() => new Date())
    if (opts.skipExisting) {
      try {
        const st = statSync(path)
        this.#offset = st.size
        this.#ino = st.ino
      } catch {
        // Not there yet: everything written to it is new.
      }
    }
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.#offset
  }

  /** Points from the complete lines written since the last call; [] while the file does not exist. */
  poll(): Promise<MetricPoint[]> {
    return this.#serial(() => this.#read(false))
  }

  /** After the trial ended: the rest of the file, including a last line without a newline. */
  finish(): Promise<MetricPoint[]> {
    return this.#serial(() => this.#read(true))
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work)
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #read(final: boolean): Promise<MetricPoint[]> {
    const now = this.#now()
    const points: MetricPoint[] = []
    const parse = (lines: readonly string[]): void => {
      for (const line of lines) for (const p of this.#parser.feed(line, now)) points.push(p)
    }
    let handle
    try {
      handle = await open(this.#path, 'r')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      if (final) parse(this.#splitter.end())
      return points
    }
    try {
      const st = await handle.stat()
      // A shorter or different file means the log was rewritten (e.g. the trial was relaunched).
      // The parser is kept, so its step counters continue and the new run's points land after
      // the old ones instead of overwriting some of them and leaving stale higher steps behind.
      if (st.size < this.#offset || (this.#ino !== undefined && st.ino !== this.#ino)) {
        this.#offset = 0
        this.#splitter = new LineSplitter()
      }
      this.#ino = st.ino
      const buf = Buffer.allocUnsafe(CHUNK_BYTES)
      // A poll stops at the size it saw, so a trial that writes fast cannot keep it reading forever.
      while (final || this.#offset < st.size) {
        const { bytesRead } = await handle.read(buf, 0, CHUNK_BYTES, this.#offset)
        if (bytesRead === 0) break
        this.#offset += bytesRead
        // push() decodes (copies) before returning, so reusing buf is safe.
        parse(this.#splitter.push(buf.subarray(0, bytesRead)))
      }
    } finally {
      await handle.close()
    }
    if (final) parse(this.#splitter.end())
    return points
  }
}
