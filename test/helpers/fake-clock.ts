import type { Clock } from '../../controller/clock.ts'

interface Timer {
  readonly due: number
  readonly seq: number
  readonly callback: () => void
}

/**
 * Virtual time for the controller (controller/clock.ts). Nothing waits for real: whenever a timer
 * is pending, the clock jumps to the earliest one and fires it on the next turn of the event loop
 * (after the I/O and promises already under way), so a runner's poll waits, a trial's scripted
 * sleeps and a deadline happen in their virtual order, in milliseconds. `auto: false` leaves the
 * jumps to the test (`advance`).
 */
export class FakeClock implements Clock {
  #now: number
  #seq = 0
  readonly #timers = new Map<number, Timer>()
  readonly #auto: boolean
  #scheduled = false

  constructor(options: { readonly start?: number; readonly auto?: boolean } = {}) {
    this.#now = options.start ?? Date.now()
    this.#auto = options.auto ?? true
  }

  now(): number {
    return this.#now
  }

  setTimeout(callback: () => void, ms: number): () => void {
    const seq = this.#seq++
    this.#timers.set(seq, { due: this.#now + Math.max(0, ms), seq, callback })
    this.#schedule()
    return () => {
      this.#timers.delete(seq)
    }
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms))
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.size
  }

  /** Moves time forward by `ms`, firing every timer due on the way in order (and what they set). */
  advance(ms: number): void {
    const end = this.#now + ms
    for (let next = this.#earliest(); next && next.due <= end; next = this.#earliest()) this.#fire(next)
    this.#now = end
  }

  #earliest(): Timer | undefined {
    let first: Timer | undefined
    for (const t of this.#timers.values()) if (!first || t.due < first.due || (t.due === first.due && t.seq < first.seq)) first = t
    return first
  }

  #fire(timer: Timer): void {
    this.#timers.delete(timer.seq)
    this.#now = Math.max(this.#now, timer.due)
    timer.callback()
  }

  #schedule(): void {
    if (!this.#auto || this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      const next = this.#earliest()
      if (!next) return
      this.#fire(next)
      if (this.#timers.size > 0) this.#schedule()
    })
  }
}
