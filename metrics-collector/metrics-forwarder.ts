import type { MetricPoint } from '../core/metric.ts'
import type { PushOutcome } from './push-client.ts'
import type { PushProgress } from './push-progress.ts'

/** Where the points come from: a metrics file (FileMetricsSource) or a folder of TensorFlow event files. */
export interface PointSource {
  /** Points written since the last call. */
  poll(): Promise<MetricPoint[]>
  /** After the trial ended: everything that is left. */
  finish(): Promise<MetricPoint[]>
}

export interface MetricsForwarderOptions {
  readonly source: PointSource
  readonly push: (points: readonly MetricPoint[]) => Promise<PushOutcome>
  /**
   * The count of points pushed by an earlier run of this collector, for a source that yields
   * the same points in the same order when read again from its start (one metrics file). Without
   * it a restarted collector sends everything again, which rewrites the same rows (each point
   * carries its step) and suits sources read in no fixed order (a folder of event files).
   */
  readonly progress?: PushProgress
  /** Between reads of the source (default 1 s). */
  readonly pollMs?: number
  /** Between tries of a refused or failed push once the trial ended (default 500 ms). */
  readonly retryMs?: number
  /** Points per request (default 500; the receiver takes bodies up to 1 MiB). */
  readonly batchSize?: number
  readonly log?: (message: string) => void
}

/** What a forwarder did by the time it stopped. */
export interface ForwardResult {
  readonly pushed: number
  /** Points still unsent when the time to send them ran out. */
  readonly unsent: number
  /** Points the receiver refused for good (a 4xx other than 401 and 404). */
  readonly refused: number
}

/**
 * The collector sidecar's loop: reads the source as it grows and pushes its points, in order,
 * each batch once it was accepted counted in the progress file. Stopping (`stop`, the container's
 * SIGTERM once the trial's containers ended) reads the rest of the source and pushes it, retrying
 * until `deadline`.
 */
export class MetricsForwarder {
  readonly #o: MetricsForwarderOptions
  /** Points of the source seen so far, in order, counting those an earlier run pushed. */
  #produced = 0
  /** Points accepted (or refused for good) so far, counting those of an earlier run. */
  #done: number
  readonly #skip: number
  #pending: MetricPoint[] = []
  #refused = 0
  #lastError: string | undefined
  #stopping = false
  #wake: (() => void) | undefined

  constructor(options: MetricsForwarderOptions) {
    this.#o = options
    this.#skip = options.progress?.load() ?? 0
    this.#done = this.#skip
  }

  /** Points the earlier run of this collector had pushed (skipped now). */
  get skipped(): number {
    return this.#skip
  }

  /** Ends the loop: the rest of the source is read and pushed, until `deadline` (epoch ms). */
  stop(): void {
    this.#stopping = true
    this.#wake?.()
  }

  async run(deadline: () => number): Promise<ForwardResult> {
    const pollMs = this.#o.pollMs ?? 1000
    while (!this.#stopping) {
      try {
        this.#accept(await this.#o.source.poll())
      } catch (error) {
        // A file being replaced or half written: read again at the next poll and at the end.
        this.#note(`cannot read the metrics: ${(error as Error).message}`)
      }
      await this.#flush(false)
      await this.#sleep(pollMs)
    }
    try {
      this.#accept(await this.#o.source.finish())
    } catch (error) {
      // What was read before is still pushed.
      this.#o.log?.(`cannot read the rest of the metrics: ${(error as Error).message}`)
    }
    const retryMs = this.#o.retryMs ?? 500
    while (!(await this.#flush(true)) && Date.now() + retryMs < deadline()) await new Promise((resolve) => setTimeout(resolve, retryMs))
    return { pushed: this.#done - this.#skip - this.#refused, unsent: this.#pending.length, refused: this.#refused }
  }

  #accept(points: readonly MetricPoint[]): void {
    for (const point of points) {
      if (this.#produced++ < this.#skip) continue
      this.#pending.push(point)
    }
  }

  /** Pushes what is pending, in order; true once nothing is. A push that may succeed later stops it until the next call. */
  async #flush(final: boolean): Promise<boolean> {
    const size = this.#o.batchSize ?? 500
    while (this.#pending.length > 0) {
      if (!final && this.#stopping) return false
      const batch = this.#pending.slice(0, size)
      const outcome = await this.#o.push(batch)
      if (!outcome.ok && outcome.retry) {
        this.#note(outcome.message)
        return false
      }
      if (!outcome.ok) {
        this.#refused += batch.length
        this.#o.log?.(`${outcome.message}; ${batch.length} points dropped`)
      }
      this.#pending.splice(0, batch.length)
      this.#done += batch.length
      if (this.#lastError !== undefined && outcome.ok) {
        this.#o.log?.('pushing again')
        this.#lastError = undefined
      }
      try {
        this.#o.progress?.save(this.#done)
      } catch (error) {
        // Only a restarted collector needs it, and sending again is harmless.
        this.#note(`cannot record the progress in ${this.#o.progress?.path}: ${(error as Error).message}`)
      }
    }
    return true
  }

  /** Logs a problem once until it changes, so a long outage is one line. */
  #note(message: string): void {
    if (message === this.#lastError) return
    this.#lastError = message
    this.#o.log?.(message)
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.#wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}
