import { PassThrough } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Store } from '../../../db/store.ts'
import { badRequest, internalError } from '../kube-status.ts'
import { namespaceOf } from '../object-meta.ts'
import { matchesFields, matchesLabels, type FieldSelector, type LabelSelector } from '../selectors.ts'
import { includeObjectOf, wantsTable } from '../table.ts'
import { eventTable } from './core-table.ts'
import { eventField, eventObject, type KubeEvent } from './event-object.ts'
import { listEvents } from './list-events.ts'

/** How often the shared poller reads new events while anyone watches them. */
const POLL_MS = 500
const BATCH = 1000
/** A client this far behind (unsent text) is ended; it watches again from its last resourceVersion. */
const MAX_BUFFERED_BYTES = 1024 * 1024

export interface EventWatchOptions {
  readonly namespace: string | undefined
  readonly labels: LabelSelector
  readonly fields: FieldSelector
  readonly resourceVersion?: string | undefined
  readonly timeoutSeconds?: number | undefined
  readonly allowWatchBookmarks?: boolean | undefined
  readonly sendInitialEvents?: boolean | undefined
}

interface Subscriber {
  offer(event: KubeEvent): void
  /** Live events that came while its start was read; undefined once it is live. */
  pending: KubeEvent[] | undefined
}

/**
 * One poller of the events table for every event watch of a store (`kubectl get events -w`,
 * `kubectl events -w`), running only while someone watches. Events are delivered in id order
 * as the poller reads them; one whose transaction commits after a higher id was read is not
 * streamed live (a new list shows it), as Kubernetes events are best effort too.
 */
class EventWatchHub {
  readonly #store: Store
  readonly #subscribers = new Set<Subscriber>()
  readonly #namespaces = new Map<string, string>()
  #position = -1
  #timer: NodeJS.Timeout | undefined

  constructor(store: Store) {
    this.#store = store
  }

  /** Registers `subscriber`; resolves the id it is live after (what it reads itself up to). */
  async subscribe(subscriber: Subscriber): Promise<number> {
    if (this.#position < 0) this.#position = await this.#store.events.latestId()
    this.#subscribers.add(subscriber)
    this.#schedule()
    return this.#position
  }

  unsubscribe(subscriber: Subscriber): void {
    this.#subscribers.delete(subscriber)
    if (this.#subscribers.size > 0) return
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#position = -1
  }

  #schedule(): void {
    if (this.#timer === undefined && this.#subscribers.size > 0) this.#timer = setTimeout(() => void this.#poll(), POLL_MS).unref()
  }

  async #poll(): Promise<void> {
    // The timer that started this poll: once it is not the hub's any more (everyone left, maybe
    // to come back with a timer of their own), this chain of polls ends.
    const own = this.#timer
    try {
      for (;;) {
        const start = this.#position
        const batch = await this.#store.events.feed({ afterId: start, limit: BATCH })
        // Everyone left (or another start) while it read: what it read belongs to nobody.
        if (this.#subscribers.size === 0 || this.#position !== start) return
        for (const stored of batch) {
          this.#position = stored.id
          const event = eventObject(stored, await this.#namespaceOf(stored.experimentId))
          if (event) for (const subscriber of this.#subscribers) subscriber.offer(event)
        }
        if (batch.length < BATCH) break
      }
    } catch {
      // The next poll tries again (a database outage ends no watch by itself).
    } finally {
      if (this.#timer === own) {
        this.#timer = undefined
        this.#schedule()
      }
    }
  }

  async #namespaceOf(experimentId: string): Promise<string> {
    let namespace = this.#namespaces.get(experimentId)
    if (namespace === undefined) {
      const record = await this.#store.experiments.get(experimentId)
      namespace = record ? namespaceOf(record.spec) : ''
      this.#namespaces.set(experimentId, namespace)
    }
    return namespace
  }
}

const hubs = new WeakMap<Store, EventWatchHub>()

function hubOf(store: Store): EventWatchHub {
  let hub = hubs.get(store)
  if (!hub) hubs.set(store, (hub = new EventWatchHub(store)))
  return hub
}

/**
 * `?watch=true` on events: newline-delimited WatchEvents as a server streams them. Without a
 * resourceVersion (or "0") every matching event is sent first as ADDED, with one every event
 * after it; events are never compacted here (they go with their experiment), so no 410. Ends
 * after `timeoutSeconds` (default 30 to 60 minutes), when the client leaves, or when it reads
 * too slowly. With `Accept: …;as=Table` each event goes as a one-row Table.
 */
export async function serveEventWatch(request: FastifyRequest, reply: FastifyReply, store: Store, options: EventWatchOptions): Promise<FastifyReply> {
  const rv = options.resourceVersion
  if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: must be a resourceVersion this server gave`)
  const after = rv === undefined || rv === '' ? 0 : Number(rv)
  const initial = options.sendInitialEvents ?? after === 0
  const matches = (event: KubeEvent) =>
    (options.namespace === undefined || event.metadata.namespace === options.namespace) &&
    matchesLabels(options.labels, undefined) &&
    matchesFields(options.fields, (f) => eventField(event, f))

  const table = wantsTable(request)
  const includeObject = includeObjectOf((request.query as Record<string, unknown> | undefined)?.includeObject)
  let columnsSent = false
  const body = new PassThrough()
  let finished = false
  let lastSent = after
  const write = (type: 'ADDED' | 'BOOKMARK', object: unknown) => {
    if (finished) return
    body.write(`${JSON.stringify({ type, object })}\n`)
    if (body.writableLength > MAX_BUFFERED_BYTES) finish()
  }
  const send = (event: KubeEvent) => {
    lastSent = Number(event.metadata.resourceVersion)
    if (!table) return write('ADDED', event)
    const rows = eventTable([event], { resourceVersion: event.metadata.resourceVersion }, includeObject)
    write('ADDED', columnsSent ? { ...rows, columnDefinitions: [] } : rows)
    columnsSent = true
  }
  const bookmark = (resourceVersion: number, annotations?: Record<string, string>) => {
    if (options.allowWatchBookmarks) write('BOOKMARK', { kind: 'Event', apiVersion: 'v1', metadata: { resourceVersion: String(resourceVersion), ...(annotations ? { annotations } : {}) } })
  }

  const hub = hubOf(store)
  const subscriber: Subscriber = {
    pending: [],
    offer(event) {
      if (!matches(event)) return
      if (this.pending) this.pending.push(event)
      else send(event)
    },
  }
  const timers: NodeJS.Timeout[] = []
  function finish() {
    if (finished) return
    finished = true
    hub.unsubscribe(subscriber)
    for (const timer of timers) clearTimeout(timer)
    if (!body.writableEnded) body.end()
  }
  reply.raw.once('close', finish)
  const timeout = options.timeoutSeconds !== undefined && options.timeoutSeconds > 0 ? options.timeoutSeconds : 1800 + Math.floor(Math.random() * 1800)
  timers.push(setTimeout(() => {
    bookmark(lastSent)
    finish()
  }, timeout * 1000).unref())

  // The head at once, even before any event: client-go waits for it.
  reply.raw.once('pipe', () => reply.raw.flushHeaders())
  reply.code(200).type('application/json').header('cache-control', 'no-cache, private').send(body)

  try {
    const live = await hub.subscribe(subscriber)
    // What happened before going live: everything (initial events) or what came after `rv`.
    if (initial || after < live) {
      const start = initial ? 0 : after
      const earlier = await listEvents(store, { namespace: options.namespace, labels: options.labels, fields: options.fields, limit: Number.POSITIVE_INFINITY, untilId: live, afterId: start })
      for (const event of earlier.items) send(event)
    }
    lastSent = Math.max(lastSent, live)
    if (initial && options.sendInitialEvents) bookmark(live, { 'k8s.io/initial-events-end': 'true' })
    const pending = subscriber.pending ?? []
    subscriber.pending = undefined
    for (const event of pending) send(event)
  } catch (error) {
    // The head is sent: the failure goes as an ERROR event, as a server ends a watch it cannot go on with.
    request.log.warn({ err: error }, 'event watch failed to start')
    if (!finished) body.write(`${JSON.stringify({ type: 'ERROR', object: internalError(error instanceof Error ? error.message : String(error)).status })}\n`)
    finish()
  }
  return reply
}
