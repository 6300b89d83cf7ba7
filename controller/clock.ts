import { setTimeout as sleep } from 'node:timers/promises'

/**
 * The controller's view of time: its poll waits and retry backoffs go through one, so a test can
 * run them on virtual time (test/helpers/fake-clock.ts) instead of waiting for real.
 */
export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number
  /** Calls `callback` once after `ms`; the returned function cancels it (a no-op once it ran). */
  setTimeout(callback: () => void, ms: number): () => void
  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void>
}

/** Wall-clock time and node's timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms)
    return () => clearTimeout(timer)
  },
  sleep: async (ms) => {
    await sleep(ms)
  },
}
