import { setTimeout as sleep } from 'node:timers/promises'
import type { MetricPoint } from '../core/metric.ts'
import type { ObservationStore } from '../db/store.ts'

export interface MetricWriterOptions {
  /** Points per append; a full batch is written right away. Default 500. */
  readonly maxBatch?: number
  /** How long a point may wait for a batch to fill. Default 1000 ms. */
  readonly flushMs?: number
  /** First delay between close()'s tries, doubled each time. Default 100 ms. */
  readonly retryDelayMs?: number
}

const CLOSE_TRIES = 3

/**
 * Batches a trial's points into ObservationStore.append calls. A failed append keeps its points
 * for the next flush, so a database hiccup delays metrics but loses none.
 */
export class MetricWriter {
  readonly #store: Pick<ObservationStore, 'append'>
  readonly #trialId: string
  readonly #maxBatch: number
  readonly #flushMs: number
  readonly #retryDelayMs: number
  // Keyed by name+step, last write wins: the store upserts on that key, and Postgres refuses an
  // upsert that touches the same row twice in one statement.
  #pending = new Map<string, MetricPoint>()
  #timer: NodeJS.Timeout | undefined
  // Appends run one at a time, so a retried batch cannot overtake (and be overwritten by) an older one.
  #queue: Promise<void> = Promise.resolve()
  #closed = false
  // One size-triggered flush at a time; its drain loop also takes what arrives while it runs.
  #backgroundRunning = false
  #lastError: unknown

  constructor(store: Pick<ObservationStore, 'append'>, trialId: string, opts: MetricWriterOptions = {}) {
    this.#store = store
    this.#trialId = trialId
    this.#maxBatch = Math.max(1, opts.maxBatch ?? 500)
    this.#flushMs = opts.flushMs ?? 1000
    this.#retryDelayMs = opts.retryDelayMs ?? 100
  }

  /** Points not yet written. */
  get pendingCount(): number {
    return this.#pending.size
  }

  /** The error of the last failed append, cleared by the next successful one. */
  get lastError(): unknown {
    return this.#lastError
  }

  add(points: readonly MetricPoint[]): void {
    if (this.#closed) throw new Error(`MetricWriter for trial ${this.#trialId} is closed; ${points.length} points not written`)
    for (const p of points) {
      const key = keyOf(p)
      // Re-inserting moves the key to the end, keeping the map in arrival order.
      this.#pending.delete(key)
      this.#pending.set(key, p)
    }
    if (this.#pending.size >= this.#maxBatch && !this.#backgroundRunning) this.#background()
    else if (this.#pending.size > 0) this.#arm()
  }

  /** Writes everything pending; rejects with the store's error (the points stay pending). */
  flush(): Promise<void> {
    this.#disarm()
    const run = this.#queue.then(() => this.#drain())
    this.#queue = run.catch(() => {
      // Retry on the timer even if nothing new arrives; close() reports what is still unwritten.
      if (!this.#closed && this.#pending.size > 0) this.#arm()
    })
    return run
  }

  /** Flushes, trying up to 3 times with backoff; no timer survives it. Rejects if points remain unwritten. */
  async close(): Promise<void> {
    this.#closed = true
    this.#disarm()
    let delay = this.#retryDelayMs
    for (let attempt = 1; ; attempt++) {
      try {
        await this.flush()
        return
      } catch (err) {
        if (attempt >= CLOSE_TRIES) {
          throw new Error(
            `could not write ${this.#pending.size} metric points of trial ${this.#trialId} after ${CLOSE_TRIES} tries: ${messageOf(err)}`,
            { cause: err },
          )
        }
      }
      await sleep(delay)
      delay *= 2
    }
  }

  async #drain(): Promise<void> {
    while (this.#pending.size > 0) {
      const batch: MetricPoint[] = []
      for (const [key, p] of this.#pending) {
        if (batch.length >= this.#maxBatch) break
        batch.push(p)
        this.#pending.delete(key)
      }
      try {
        await this.#store.append(this.#trialId, batch)
        this.#lastError = undefined
      } catch (err) {
        this.#lastError = err
        this.#restore(batch)
        throw err
      }
    }
  }

  // Puts a failed batch back in front of what arrived meanwhile; a newer point for the same key wins.
  #restore(batch: readonly MetricPoint[]): void {
    const merged = new Map<string, MetricPoint>()
    for (const p of batch) if (!this.#pending.has(keyOf(p))) merged.set(keyOf(p), p)
    for (const [key, p] of this.#pending) merged.set(key, p)
    this.#pending = merged
  }

  #background(): void {
    this.#backgroundRunning = true
    this.flush()
      // The failure is kept in lastError and the points stay pending; flush() re-arms the retry.
      .catch(() => undefined)
      .finally(() => {
        this.#backgroundRunning = false
      })
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#closed) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#background()
    }, this.#flushMs)
    // Pending metrics alone must not keep a process alive; close() is what guarantees the write.
    this.#timer.unref()
  }

  #disarm(): void {
    if (this.#timer === undefined) return
    clearTimeout(this.#timer)
    this.#timer = undefined
  }
}

function keyOf(p: MetricPoint): string {
  return `${p.step}\u0000${p.name}`
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
