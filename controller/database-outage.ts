import { TunewellError } from '../core/errors.ts'
import { isDatabaseUnavailable } from '../db/is-database-unavailable.ts'
import { realClock, type Clock } from './clock.ts'

export interface OutageLog {
  /** Said once when the database goes away and once when it is back; never a stack per retry. */
  warn(message: string): void
}

export interface DatabaseOutageOptions {
  /** How long an outage may last before work is given up; default unlimited (`serve`). */
  readonly limitMs?: number
  readonly log?: OutageLog
  /** First wait between tries, doubled up to `maxDelayMs`; default 250 ms. */
  readonly minDelayMs?: number
  /** Default 5000 ms. */
  readonly maxDelayMs?: number
  /** Time for the waits and the limit; default the real one. */
  readonly clock?: Clock
}

/**
 * One controller's view of the database's availability. While the database is away, trial
 * processes keep running and their points stay buffered; every store call that failed with
 * "unavailable" is tried again with backoff (`retry`), and the outage is reported once. Only an
 * outage longer than the limit ends the work, with DATABASE_UNAVAILABLE (`run` exits 3).
 */
export class DatabaseOutage {
  readonly #o: DatabaseOutageOptions
  #since: number | undefined
  #delay: number
  #lastError: unknown
  readonly #clock: Clock

  constructor(options: DatabaseOutageOptions = {}) {
    this.#o = options
    this.#clock = options.clock ?? realClock
    this.#delay = options.minDelayMs ?? 250
  }

  /** Whether the database is known to be away right now. */
  get active(): boolean {
    return this.#since !== undefined
  }

  /**
   * Records a failure. Returns whether it is an outage to wait out; throws DATABASE_UNAVAILABLE
   * once the outage outlasted the limit. Any other error is the caller's to handle (false).
   */
  failed(error: unknown): boolean {
    if (!isDatabaseUnavailable(error)) return false
    const now = this.#clock.now()
    this.#lastError = error
    if (this.#since === undefined) {
      this.#since = now
      const limit = this.#o.limitMs
      this.#o.log?.warn(`database unreachable (${messageOf(error)}); trials keep running and their metrics are kept until it is back` +
        (limit !== undefined && Number.isFinite(limit) ? `, for at most ${Math.round(limit / 1000)} s` : ''))
    }
    const limit = this.#o.limitMs ?? Infinity
    if (now - this.#since > limit) {
      throw new TunewellError('DATABASE_UNAVAILABLE', `the database has been unreachable for ${Math.round((now - this.#since) / 1000)} s ` +
        `(limit ${Math.round(limit / 1000)} s): ${messageOf(this.#lastError)}`, { cause: error })
    }
    return true
  }

  /** A store call succeeded: the outage, if any, is over. */
  recovered(): void {
    if (this.#since === undefined) return
    this.#o.log?.warn(`database reachable again after ${((this.#clock.now() - this.#since) / 1000).toFixed(1)} s; carrying on`)
    this.#since = undefined
    this.#delay = this.#o.minDelayMs ?? 250
  }

  /** The wait before the next try; grows while the outage lasts. */
  nextDelayMs(): number {
    const delay = this.#delay
    this.#delay = Math.min(this.#delay * 2, this.#o.maxDelayMs ?? 5000)
    return delay
  }

  /**
   * Runs `work` until it succeeds, waiting out database outages; other errors, an outage past
   * the limit, and `stopped()` turning true end it (the latter with StoppedWaitingError).
   */
  async retry<T>(work: () => Promise<T>, stopped: () => boolean = () => false): Promise<T> {
    for (;;) {
      try {
        const result = await work()
        this.recovered()
        return result
      } catch (error) {
        if (!this.failed(error)) throw error
        if (stopped()) throw new StoppedWaitingError(error)
        await this.#clock.sleep(this.nextDelayMs())
        if (stopped()) throw new StoppedWaitingError(error)
      }
    }
  }
}

/** Retrying was given up because the work is no longer wanted (an interrupt); the cause is the last outage error. */
export class StoppedWaitingError extends Error {
  constructor(cause: unknown) {
    super('stopped while waiting for the database', { cause })
  }
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.slice(0, 200) || 'unknown error'
}
