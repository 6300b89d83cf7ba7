import type { Store } from '../../../db/store.ts'
import type { StoreChange } from '../../../db/store.ts'
import { gone } from '../kube-status.ts'
import type { CurrentObject, ListScope, WatchedObject, WatchResource } from './watch-resource.ts'
import { GAP_GRACE_MS } from '../list-resource-version.ts'

/** How far below a watch's resourceVersion an id still missing is looked for (Watch.late). */
const LATE_WINDOW = 1000
/** The most ids the hub keeps looking for (KubeWatchHub.#holes); past it, the oldest are dropped. */
const MAX_HOLES = 1000

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

/** One watcher: its HTTP answer (serve-watch.ts) or a test's. */
export interface WatchSink {
  readonly resource: WatchResource
  /** Whether the object is one this watch asked for (namespace, label and field selectors). */
  matches(object: WatchedObject): boolean
  /** Queues an event; false when the client is too far behind to keep (it is then ended). */
  send(type: WatchEventType, object: WatchedObject): boolean
  /** BOOKMARKs every `bookmarkMs` while live. */
  readonly bookmarks: boolean
  end(): void
}

/** Where a watch starts, from its `resourceVersion` and `sendInitialEvents` parameters. */
export type WatchStart =
  /** ADDED for every object there is, then live; with `initialEventsEnd`, a BOOKMARK saying the initial events are over. */
  | { readonly from: 'list'; readonly scope: ListScope; readonly initialEventsEnd?: boolean }
  /** Only what changes from now. */
  | { readonly from: 'now' }
  /** What changed after this resourceVersion, then live; 410 Expired when it is older than what is kept. */
  | { readonly from: 'version'; readonly resourceVersion: number }

export interface KubeWatchHubOptions {
  readonly store: Store
  /** How often the change stream is read while anyone watches; default 250 ms. */
  readonly pollMs?: number
  /** How long a gap in ids may hold back the changes after it; default 3 s. */
  readonly gapGraceMs?: number
  /**
   * How long an id that was skipped as a gap (or missing when the hub started) is still looked
   * for, so that a transaction that commits late is delivered then; default 10 minutes.
   */
  readonly lateHoldMs?: number
  /** Changes read per query; default 1000. */
  readonly batchSize?: number
  /** Between BOOKMARKs to watches that allow them; default 60 s (a server sends one about every minute). */
  readonly bookmarkMs?: number
  /** How long tombstones are kept: the watch window for deletions; default 10 minutes. */
  readonly windowMs?: number
  /** How often tombstones past the window are pruned while anyone watches; default 60 s. */
  readonly pruneMs?: number
  /** A watch further behind than this many ids is answered 410 rather than replayed; default 100,000. */
  readonly replayLimit?: number
  readonly onError?: (error: unknown) => void
}

/** An object as a batch of changes left it, for one resource. */
interface Resolved extends CurrentObject {
  /** The highest change id that concerned it: a watch that started at or after it has it already. */
  readonly changeId: number
  /** Every change id of the batch that concerned it (see Watch.late). */
  readonly changeIds: readonly number[]
  readonly created: boolean
  readonly deleted: boolean
}

interface Watch {
  readonly sink: WatchSink
  /** Changes at or below this id are what the client started from. */
  after: number
  /**
   * Ids at or below its resourceVersion that were missing when it started: a transaction that
   * drew its id before a later one committed may commit after the client's list read that
   * resourceVersion (ids are drawn in order, not committed in order). Such a change is still
   * sent to it when it comes, within the hub's late hold. Not covered: one that commits between
   * the list and the watch's start here (it is present then, below the resourceVersion); the
   * object is sent again at its next change.
   */
  late: ReadonlySet<number>
  /** Live batches that arrive while it catches up, sent right after; undefined once live. */
  pending: Resolved[][] | undefined
  /** What the client was sent of each object: its resourceVersion, and whether it is in its view. */
  readonly known: Map<string, { resourceVersion: number; visible: boolean }>
  closed: boolean
}

/**
 * One reader of the store's change stream (events and deletion tombstones, one id sequence) for
 * every Kubernetes watch of this process: 100 `kubectl get -w` cost one query per interval, and
 * each changed object is built once per interval for all of them. It reads the tables rather
 * than this process's writes, so changes made by another process on the same database (the CLI,
 * a second replica) reach the watches too; it runs only while someone watches.
 *
 * Objects, not events: the store keeps no past states of an object, so a watch sends the object
 * as it is now, once per interval in which it changed (a server's watch may coalesce too), with
 * its resourceVersion; a later change already covered by what was sent is skipped. Ids order
 * everything: changes are delivered strictly in id order, and one after a gap waits for the gap
 * to fill or for `gapGraceMs` (a rolled-back transaction leaves a gap for ever), as the SSE
 * event hub does (api/events/event-hub.ts).
 *
 * A watch from a resourceVersion is registered first, then the range (resourceVersion, the
 * hub's position] is read and sent, then what arrived live meanwhile: nothing is lost or sent
 * twice. A resourceVersion below the highest pruned tombstone (a deletion it may have missed),
 * or more than `replayLimit` ids behind, is 410 Expired: the client lists again. A client that
 * does not read is ended once its buffer is full (the sink says so); it watches again from its
 * last resourceVersion like after any dropped watch.
 */
export class KubeWatchHub {
  readonly #store: Store
  readonly #pollMs: number
  readonly #graceMs: number
  readonly #lateHoldMs: number
  readonly #batchSize: number
  readonly #bookmarkMs: number
  readonly #windowMs: number
  readonly #pruneMs: number
  readonly #replayLimit: number
  readonly #onError: (error: unknown) => void
  readonly #watches = new Set<Watch>()
  /** Every change up to here has been delivered (or skipped as a gap). */
  #position = 0
  readonly #heldSince = new Map<number, number>()
  /**
   * Ids below the position that no change has filled yet, with when they were found missing:
   * those missing when the hub started, and each gap the position moved past once its grace was
   * over. A transaction that drew one may still commit (a busy machine can hold a commit for
   * seconds after its id was drawn), and is delivered then, within `lateHoldMs`, to every watch
   * that has not seen it: the live ones (their `after` is below it) and those started since
   * (their `late`). Looked up by id, so a hole far below costs nothing more than a near one.
   */
  readonly #holes = new Map<number, number>()
  #generation = 0
  #started: Promise<void> | undefined
  #timer: NodeJS.Timeout | undefined
  #bookmark: NodeJS.Timeout | undefined
  #prune: NodeJS.Timeout | undefined
  #polling: Promise<void> | undefined
  #closed = false

  constructor(options: KubeWatchHubOptions) {
    this.#store = options.store
    this.#pollMs = options.pollMs ?? 250
    this.#graceMs = options.gapGraceMs ?? GAP_GRACE_MS
    this.#lateHoldMs = options.lateHoldMs ?? 10 * 60_000
    this.#batchSize = options.batchSize ?? 1000
    this.#bookmarkMs = options.bookmarkMs ?? 60_000
    this.#windowMs = options.windowMs ?? 10 * 60_000
    this.#pruneMs = options.pruneMs ?? 60_000
    this.#replayLimit = options.replayLimit ?? 100_000
    this.#onError = options.onError ?? (() => {})
  }

  get watchCount(): number {
    return this.#watches.size
  }

  /**
   * Registers the sink, sends what its start asks for and resolves once it is live; the result
   * ends the watch (call it when the client goes away). Rejects with a KubeError (410) for a
   * resourceVersion too old, or when the store cannot be read; nothing is registered then.
   */
  async watch(sink: WatchSink, start: WatchStart): Promise<() => void> {
    if (this.#closed) {
      sink.end()
      return () => {}
    }
    const watch: Watch = { sink, after: 0, late: new Set(), pending: [], known: new Map(), closed: false }
    this.#watches.add(watch)
    const stop = () => this.#remove(watch)
    try {
      await this.#start()
      const upTo = this.#position
      watch.after = upTo
      if (start.from === 'version') {
        const rv = start.resourceVersion
        const horizon = Math.max(await this.#store.tombstones.horizon(), upTo - this.#replayLimit)
        if (rv < horizon) throw gone(`too old resource version: ${rv} (${horizon})`)
        watch.after = Math.max(rv, upTo)
        watch.late = new Set([...(await this.#missingUpTo(rv, horizon)), ...this.#holes.keys()])
        await this.#replay(watch, rv, upTo)
      } else {
        watch.late = new Set(this.#holes.keys())
      }
      if (start.from === 'list') {
        const objects = await sink.resource.list(this.#store, start.scope)
        objects.sort((a, b) => a.resourceVersion - b.resourceVersion)
        this.#deliver(watch, objects.map((o) => ({ ...o, changeId: Number.MAX_SAFE_INTEGER, changeIds: [], created: true, deleted: false })))
        if (start.initialEventsEnd && !watch.closed) {
          this.#send(watch, 'BOOKMARK', bookmarkObject(sink.resource, upTo, { 'k8s.io/initial-events-end': 'true' }))
        }
      }
    } catch (error) {
      this.#remove(watch)
      throw error
    }
    const pending = watch.pending ?? []
    watch.pending = undefined
    for (const batch of pending) this.#deliver(watch, batch)
    return stop
  }

  /** Ends every watch and stops reading; for the server's shutdown (no watch may keep it open). */
  async close(): Promise<void> {
    this.#closed = true
    this.#stop()
    const open = [...this.#watches]
    this.#watches.clear()
    for (const watch of open) {
      watch.closed = true
      watch.sink.end()
    }
    await this.#polling
  }

  /** The ids in the last LATE_WINDOW up to `rv` that are neither an event nor a deletion (yet). */
  async #missingUpTo(rv: number, horizon: number): Promise<Set<number>> {
    const from = Math.max(horizon, rv - LATE_WINDOW)
    if (rv <= from) return new Set()
    const present = new Set((await this.#store.tombstones.changes({ afterId: from, untilId: rv, limit: rv - from })).map((c) => c.id))
    const missing = new Set<number>()
    for (let id = from + 1; id <= rv; id++) if (!present.has(id)) missing.add(id)
    return missing
  }

  async #replay(watch: Watch, afterId: number, untilId: number): Promise<void> {
    let cursor = afterId
    while (cursor < untilId && !watch.closed) {
      const changes = await this.#store.tombstones.changes({ afterId: cursor, untilId, limit: this.#batchSize })
      if (changes.length === 0) break
      // Sent as replayed, regardless of `after` (which is already where live delivery starts).
      const resolved = await this.#resolve(watch.sink.resource, changes)
      this.#deliver(watch, resolved, afterId)
      cursor = changes.at(-1)!.id
    }
  }

  #start(): Promise<void> {
    if (!this.#started) {
      const generation = this.#generation
      const started = (async () => {
        const latest = await this.#store.tombstones.latestId()
        const missing = await this.#missingUpTo(latest, 0)
        if (generation !== this.#generation) return
        this.#position = latest
        this.#heldSince.clear()
        this.#holes.clear()
        const now = Date.now()
        for (const id of missing) this.#holes.set(id, now)
        this.#schedule(generation, this.#pollMs)
        this.#bookmark = setInterval(() => this.#bookmarkAll(), this.#bookmarkMs)
        this.#bookmark.unref()
        const prune = () => {
          this.#store.tombstones.prune(this.#windowMs).catch((error: unknown) => this.#onError(error))
        }
        prune()
        this.#prune = setInterval(prune, this.#pruneMs)
        this.#prune.unref()
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
    clearInterval(this.#bookmark)
    clearInterval(this.#prune)
    this.#timer = undefined
    this.#bookmark = undefined
    this.#prune = undefined
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
      const late = await this.#lateChanges()
      const changes = await this.#store.tombstones.changes({ afterId: this.#position, limit: this.#batchSize })
      if (generation !== this.#generation) return
      const inOrder = this.#inOrder(changes)
      const ready = [...late, ...inOrder]
      if (ready.length > 0) {
        // Built once per resource for every watch of it.
        // Until every resource watched is built: a watch may start while one is being built (it
        // expects this batch, the position not having moved yet). Delivery below is synchronous.
        const byResource = new Map<WatchResource, Resolved[]>()
        for (;;) {
          const missing = [...this.#watches].map((w) => w.sink.resource).find((r) => !byResource.has(r))
          if (!missing) break
          byResource.set(missing, await this.#resolve(missing, ready))
          if (generation !== this.#generation) return
        }
        for (const watch of [...this.#watches]) {
          const batch = byResource.get(watch.sink.resource)!
          if (watch.pending) watch.pending.push(batch)
          else this.#deliver(watch, batch)
        }
        this.#position = inOrder.at(-1)?.id ?? this.#position
      }
      again = changes.length === this.#batchSize && inOrder.length === changes.length
    } catch (error) {
      if (generation !== this.#generation) return
      // A database hiccup: watches stay open and the next poll carries on from the same position.
      this.#onError(error)
    }
    if (generation === this.#generation) this.#schedule(generation, again ? 0 : this.#pollMs)
  }

  /** Changes that filled one of the holes below the position since the last poll; forgets holes past the late hold. */
  async #lateChanges(): Promise<StoreChange[]> {
    const now = Date.now()
    for (const [id, since] of this.#holes) if (now - since >= this.#lateHoldMs) this.#holes.delete(id)
    if (this.#holes.size === 0) return []
    const found = await this.#store.tombstones.changesAt([...this.#holes.keys()])
    for (const change of found) this.#holes.delete(change.id)
    return found
  }

  /** Ids the position moves past without a change: looked for later (#lateChanges). */
  #addHoles(from: number, to: number, now: number): void {
    // A huge gap (a sequence jump) is not a crowd of late transactions: its newest ids are the likely ones.
    for (let id = Math.max(from, to - MAX_HOLES + 1); id <= to; id++) this.#holes.set(id, now)
    // Insertion order is age order: drop the oldest past the bound.
    for (const id of this.#holes.keys()) {
      if (this.#holes.size <= MAX_HOLES) break
      this.#holes.delete(id)
    }
  }

  /** The changes (ascending) up to the first gap still within its grace. */
  #inOrder(changes: readonly StoreChange[]): StoreChange[] {
    const now = Date.now()
    const ready: StoreChange[] = []
    let position = this.#position
    for (const change of changes) {
      if (change.id !== position + 1) {
        const since = this.#heldSince.get(change.id) ?? now
        this.#heldSince.set(change.id, since)
        if (now - since < this.#graceMs) break
        this.#addHoles(position + 1, change.id - 1, now)
      }
      position = change.id
      ready.push(change)
    }
    for (const id of this.#heldSince.keys()) if (id <= position) this.#heldSince.delete(id)
    return ready
  }

  /** The objects `changes` concern, as they are now (or as they were deleted), by resourceVersion. */
  async #resolve(resource: WatchResource, changes: readonly StoreChange[]): Promise<Resolved[]> {
    const touched = new Map<string, { experimentId: string; created: boolean; changeId: number; changeIds: number[] }>()
    const deletions: number[] = []
    for (const change of changes) {
      if (change.type === 'experiment:deleted') {
        deletions.push(change.id)
        continue
      }
      for (const t of resource.touched(change)) {
        const seen = touched.get(t.key)
        touched.set(t.key, { experimentId: t.experimentId, created: t.created || (seen?.created ?? false), changeId: change.id, changeIds: [...(seen?.changeIds ?? []), change.id] })
      }
    }
    const resolved: Resolved[] = []
    if (touched.size > 0) {
      const current = await resource.load(this.#store, [...touched].map(([key, t]) => ({ key, experimentId: t.experimentId, created: t.created })))
      for (const object of current) {
        const t = touched.get(object.key)
        if (t) resolved.push({ ...object, changeId: t.changeId, changeIds: t.changeIds, created: t.created, deleted: false })
      }
    }
    for (const tombstone of await this.#store.tombstones.get(deletions)) {
      for (const object of await resource.deleted(this.#store, tombstone)) {
        resolved.push({ ...object, changeId: tombstone.id, changeIds: [tombstone.id], created: false, deleted: true })
      }
    }
    return resolved.sort((a, b) => a.resourceVersion - b.resourceVersion)
  }

  /** Sends a batch to one watch: what it has not seen, as ADDED, MODIFIED or DELETED for its view. */
  #deliver(watch: Watch, batch: readonly Resolved[], after = watch.after): void {
    for (const item of batch) {
      if (watch.closed) return
      if (item.changeId <= after && !item.changeIds.some((id) => watch.late.has(id))) continue
      const known = watch.known.get(item.key)
      if (item.deleted) {
        watch.known.delete(item.key)
        if (known ? known.visible : watch.sink.matches(item.object)) this.#send(watch, 'DELETED', item.object)
        continue
      }
      if (known && item.resourceVersion <= known.resourceVersion) continue
      const visible = watch.sink.matches(item.object)
      if (visible) {
        const type = known ? (known.visible ? 'MODIFIED' : 'ADDED') : item.created ? 'ADDED' : 'MODIFIED'
        this.#send(watch, type, item.object)
      } else if (known?.visible) {
        // It left the view (its labels changed): a server's watch says DELETED.
        this.#send(watch, 'DELETED', item.object)
      } else if (!known) {
        continue
      }
      watch.known.set(item.key, { resourceVersion: item.resourceVersion, visible })
    }
  }

  #send(watch: Watch, type: WatchEventType, object: WatchedObject): void {
    if (watch.closed) return
    if (!watch.sink.send(type, object)) {
      this.#remove(watch)
      watch.sink.end()
    }
  }

  #bookmarkAll(): void {
    for (const watch of this.#watches) {
      if (watch.pending || !watch.sink.bookmarks) continue
      this.#send(watch, 'BOOKMARK', bookmarkObject(watch.sink.resource, Math.max(this.#position, watch.after)))
    }
  }

  /** A BOOKMARK for one watch now (before it ends, say); nothing while it still catches up. */
  bookmarkNow(sink: WatchSink): void {
    for (const watch of this.#watches) {
      if (watch.sink === sink && !watch.pending) this.#send(watch, 'BOOKMARK', bookmarkObject(sink.resource, Math.max(this.#position, watch.after)))
    }
  }

  #remove(watch: Watch): void {
    watch.closed = true
    if (!this.#watches.delete(watch)) return
    if (this.#watches.size === 0) this.#stop()
  }
}

/** A BOOKMARK's object: only the kind and the resourceVersion the watch has reached, as a server sends it. */
export function bookmarkObject(resource: WatchResource, resourceVersion: number, annotations?: Record<string, string>): WatchedObject {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: { resourceVersion: String(resourceVersion), ...(annotations ? { annotations } : {}) },
  } as unknown as WatchedObject
}
