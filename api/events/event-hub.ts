import type { FeedEvent, Store } from '../../db/store.ts'
import { sseComment, sseEvent, sseNotice } from './sse-message.ts'

/** Where a subscriber's text goes: its HTTP answer. */
export interface EventSink {
  /** Queues text for the client; false when the client is too far behind to keep (its stream is then ended). */
  write(text: string): boolean
  end(): void
}

export interface EventHubOptions {
  readonly store: Store
  /** How often the events table is read while anyone listens; default 250 ms. */
  readonly pollMs?: number
  /** Comment pings to every stream; default 15 s. */
  readonly pingMs?: number
  /** How long a gap in event ids may hold back the events after it; default 3 s. */
  readonly gapGraceMs?: number
  /** Rows per poll; a full batch is followed by another poll at once. Default 1000. */
  readonly batchSize?: number
  /** Most events replayed to a resuming client; default 1000. */
  readonly replayLimit?: number
  readonly onError?: (error: unknown) => void
  readonly onClientCount?: (count: number) => void
}

export interface SubscribeOptions {
  /** Only this experiment's events; all when absent. */
  readonly experimentId?: string
  /** Replay what came after this id (Last-Event-ID) before going live. */
  readonly lastEventId?: number
}

interface Subscriber {
  readonly sink: EventSink
  readonly experimentId: string | undefined
  /** Nothing at or below this id is sent (what the client already has). */
  readonly after: number
  /** Live events that arrive while the replay is read, sent right after it; undefined once live. */
  pending: FeedEvent[] | undefined
  closed: boolean
}

/**
 * One poller of the events table for every open stream of this process: 100 dashboards cost
 * one query per interval, not 100. It reads the table rather than listening to this process's
 * writes, so events written by another process on the same database (a second API, a
 * `tunewell run`) reach the streams too. It only runs while someone listens.
 *
 * Order and gaps: ids come from a sequence, and a transaction can commit a lower id after a
 * higher one was already read. Skipping past it would lose it, so the hub delivers strictly in id
 * order and holds the events after a gap until the gap fills or the first of them has been seen
 * for `gapGraceMs` (a rolled-back transaction leaves a gap that never fills). An event that
 * commits later than that after a higher one is not streamed live (it is still in the table, and
 * a resuming client gets it).
 *
 * Resuming (Last-Event-ID): the subscriber is registered first, then the range (lastEventId, the
 * hub's position] is read from the table and sent, then whatever arrived live meanwhile: no
 * event is lost or sent twice. At most `replayLimit` events are replayed; a client further
 * behind first gets a `replay-truncated` event saying which ids it missed (it should reload what
 * it shows from the REST API), then the newest `replayLimit`. A client that stops reading is
 * dropped once its buffer is full (the sink says so); it reconnects and resumes like any other.
 */
export class EventHub {
  readonly #store: Store
  readonly #pollMs: number
  readonly #pingMs: number
  readonly #graceMs: number
  readonly #batchSize: number
  readonly #replayLimit: number
  readonly #onError: (error: unknown) => void
  readonly #onClientCount: (count: number) => void
  readonly #subscribers = new Set<Subscriber>()
  /** Highest id delivered (or skipped as a gap) by the poller. */
  #position = 0
  /** When the poller first saw an event it holds back behind a gap. */
  readonly #heldSince = new Map<number, number>()
  /** Bumped on every stop: a poll or start still in flight from before then is discarded. */
  #generation = 0
  #started: Promise<void> | undefined
  #timer: NodeJS.Timeout | undefined
  #ping: NodeJS.Timeout | undefined
  #polling: Promise<void> | undefined
  #closed = false

  constructor(options: EventHubOptions) {
    this.#store = options.store
    this.#pollMs = options.pollMs ?? 250
    this.#pingMs = options.pingMs ?? 15_000
    this.#graceMs = options.gapGraceMs ?? 3000
    this.#batchSize = options.batchSize ?? 1000
    this.#replayLimit = options.replayLimit ?? 1000
    this.#onError = options.onError ?? (() => {})
    this.#onClientCount = options.onClientCount ?? (() => {})
  }

  get clientCount(): number {
    return this.#subscribers.size
  }

  /**
   * Registers the sink, replays what it missed and resolves once it is live; the result
   * unsubscribes (call it when the client goes away). Rejects, subscribing nothing, when the
   * database cannot be read.
   */
  async subscribe(sink: EventSink, options: SubscribeOptions = {}): Promise<() => void> {
    if (this.#closed) {
      sink.end()
      return () => {}
    }
    const sub: Subscriber = { sink, experimentId: options.experimentId, after: options.lastEventId ?? 0, pending: [], closed: false }
    this.#subscribers.add(sub)
    this.#onClientCount(this.#subscribers.size)
    const unsubscribe = () => this.#remove(sub)
    try {
      await this.#start()
      const upTo = this.#position
      const last = options.lastEventId
      if (last !== undefined && last < upTo && !sub.closed) {
        const events = await this.#store.events.feed({
          afterId: last, untilId: upTo, limit: this.#replayLimit + 1, newest: true,
          ...(options.experimentId !== undefined ? { experimentId: options.experimentId } : {}),
        })
        let replay = events
        if (events.length > this.#replayLimit) {
          replay = events.slice(1)
          if (!sub.closed) sink.write(sseNotice('replay-truncated', { lastEventId: last, resumedAfter: events[0]!.id }))
        }
        for (const event of replay) this.#write(sub, sseEvent(event))
      }
    } catch (error) {
      this.#remove(sub)
      throw error
    }
    const pending = sub.pending ?? []
    sub.pending = undefined
    for (const event of pending) this.#send(sub, event)
    return unsubscribe
  }

  /** Ends every stream and stops polling; for the server's shutdown (no stream may keep it open). */
  async close(): Promise<void> {
    this.#closed = true
    this.#stop()
    const open = [...this.#subscribers]
    this.#subscribers.clear()
    for (const sub of open) {
      sub.closed = true
      sub.sink.end()
    }
    this.#onClientCount(0)
    await this.#polling
  }

  #start(): Promise<void> {
    if (!this.#started) {
      const generation = this.#generation
      const started = (async () => {
        const latest = await this.#store.events.latestId()
        if (generation !== this.#generation) return
        // Live from here: what came before is only for clients that ask for it (Last-Event-ID).
        this.#position = latest
        this.#heldSince.clear()
        this.#schedule(generation, this.#pollMs)
        this.#ping = setInterval(() => this.#pingAll(), this.#pingMs)
        this.#ping.unref()
      })()
      this.#started = started
      started.catch(() => {
        if (this.#started === started) this.#started = undefined
      })
    }
    return this.#started
  }

  #stop(): void {
    this.#generation += 1
    this.#started = undefined
    clearTimeout(this.#timer)
    clearInterval(this.#ping)
    this.#timer = undefined
    this.#ping = undefined
  }

  #schedule(generation: number, delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#polling = this.#poll(generation)
    }, delayMs)
    this.#timer.unref()
  }

  async #poll(generation: number): Promise<void> {
    let again = false
    try {
      const events = await this.#store.events.feed({ afterId: this.#position, limit: this.#batchSize })
      const deletions = await this.#deletionsBefore(events)
      if (generation !== this.#generation) return
      const delivered = this.#deliver(events, deletions)
      again = events.length === this.#batchSize && delivered === events.length
    } catch (error) {
      if (generation !== this.#generation) return
      // A database hiccup: streams stay open and the next poll carries on from the same position.
      this.#onError(error)
    }
    if (generation === this.#generation) this.#schedule(generation, again ? 0 : this.#pollMs)
  }

  /**
   * Ids of deletions (db/store.ts TombstoneStore) below the last of `events`: they take ids from the
   * events' sequence but are no events, so they are no gap to wait on. Read only when there is a gap.
   */
  async #deletionsBefore(events: readonly FeedEvent[]): Promise<ReadonlySet<number>> {
    const tombstones = this.#store.tombstones as Store['tombstones'] | undefined
    const last = events.at(-1)
    if (!tombstones || !last || last.id - this.#position === events.length) return new Set()
    const changes = await tombstones.changes({ afterId: this.#position, untilId: last.id, limit: last.id - this.#position })
    return new Set(changes.filter((c) => c.type === 'experiment:deleted').map((c) => c.id))
  }

  /** Sends `events` (ascending) in id order up to the first gap still within its grace; returns how many went out. */
  #deliver(events: readonly FeedEvent[], deletions: ReadonlySet<number> = new Set()): number {
    const now = Date.now()
    let delivered = 0
    for (const event of events) {
      while (deletions.has(this.#position + 1)) this.#position += 1
      if (event.id !== this.#position + 1) {
        const since = this.#heldSince.get(event.id) ?? now
        this.#heldSince.set(event.id, since)
        if (now - since < this.#graceMs) break
      }
      this.#position = event.id
      delivered += 1
      for (const sub of this.#subscribers) {
        if (sub.experimentId === undefined || sub.experimentId === event.experimentId) this.#send(sub, event)
      }
    }
    for (const id of this.#heldSince.keys()) if (id <= this.#position) this.#heldSince.delete(id)
    return delivered
  }

  #send(sub: Subscriber, event: FeedEvent): void {
    if (event.id <= sub.after) return
    if (sub.pending) sub.pending.push(event)
    else this.#write(sub, sseEvent(event))
  }

  #write(sub: Subscriber, text: string): void {
    if (sub.closed) return
    if (!sub.sink.write(text)) {
      this.#remove(sub)
      sub.sink.end()
    }
  }

  #pingAll(): void {
    const ping = sseComment('ping')
    for (const sub of this.#subscribers) if (!sub.pending) this.#write(sub, ping)
  }

  #remove(sub: Subscriber): void {
    sub.closed = true
    if (!this.#subscribers.delete(sub)) return
    this.#onClientCount(this.#subscribers.size)
    if (this.#subscribers.size === 0) this.#stop()
  }
}
