/** Runs one batch: one result per item, in the items' order. */
export type BatchFunction<K, I, R> = (key: K, items: readonly I[]) => Promise<readonly R[]>

export interface CoalescerOptions {
  /** Items per batch at most; more wait for the next. */
  readonly maxBatch?: number
  /** Batches of one key in flight at once. */
  readonly maxInFlight?: number
}

interface Waiting<I, R> {
  readonly item: I
  readonly resolve: (result: R) => void
  readonly reject: (error: unknown) => void
}

interface Lane<I, R> {
  inFlight: number
  readonly queue: Waiting<I, R>[]
}

/**
 * Group commit for requests: an item whose key has a free slot runs at once, alone, so a
 * lone client waits for nothing; items that arrive while `maxInFlight` batches of their key
 * run wait, and go together as the next batch when one ends. Under load one round trip then
 * serves many requests, and a quiet service pays nothing for it.
 *
 * A batch that fails is run again one item at a time, so an error reaches only the request
 * that caused it (the batch functions are atomic per item or per batch, so nothing applies twice).
 */
export class Coalescer<K, I, R> {
  readonly #run: BatchFunction<K, I, R>
  readonly #maxBatch: number
  readonly #maxInFlight: number
  readonly #lanes = new Map<K, Lane<I, R>>()

  constructor(run: BatchFunction<K, I, R>, options: CoalescerOptions = {}) {
    this.#run = run
    this.#maxBatch = options.maxBatch ?? 64
    this.#maxInFlight = options.maxInFlight ?? 1
  }

  run(key: K, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let lane = this.#lanes.get(key)
      if (!lane) {
        lane = { inFlight: 0, queue: [] }
        this.#lanes.set(key, lane)
      }
      lane.queue.push({ item, resolve, reject })
      if (lane.inFlight < this.#maxInFlight) this.#next(key, lane)
    })
  }

  #next(key: K, lane: Lane<I, R>): void {
    const batch = lane.queue.splice(0, this.#maxBatch)
    if (batch.length === 0) {
      if (lane.inFlight === 0) this.#lanes.delete(key)
      return
    }
    lane.inFlight++
    void this.#settle(key, batch).finally(() => {
      lane.inFlight--
      this.#next(key, lane)
    })
  }

  async #settle(key: K, batch: readonly Waiting<I, R>[]): Promise<void> {
    let results: readonly R[]
    try {
      results = await this.#run(key, batch.map((w) => w.item))
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} answered ${results.length} results`)
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error)
        return
      }
      await Promise.all(batch.map((w) => this.#settle(key, [w])))
      return
    }
    batch.forEach((w, i) => w.resolve(results[i]!))
  }
}
