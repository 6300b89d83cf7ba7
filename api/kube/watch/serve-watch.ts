import { PassThrough } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Store } from '../../../db/store.ts'
import { badRequest, internalError, KubeError, type KubeStatus } from '../kube-status.ts'
import { EXPERIMENT_LABEL } from '../object-meta.ts'
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type FieldSelector, type LabelSelector } from '../selectors.ts'
import { includeObjectOf, toTable, wantsTable, type TableObject } from '../table.ts'
import type { WatchEventType, WatchSink, WatchStart } from './kube-watch-hub.ts'
import { kubeWatchHub } from './kube-watch-hubs.ts'
import type { ListScope, WatchedObject, WatchResource } from './watch-resource.ts'
import { WATCH_RESOURCES } from './watch-resources.ts'

export interface ServeWatchOptions {
  readonly resource: 'experiments' | 'trials' | 'suggestions'
  readonly store: Store
  /** Absent: all namespaces. */
  readonly namespace?: string | undefined
  readonly labelSelector?: string | undefined
  readonly fieldSelector?: string | undefined
  readonly resourceVersion?: string | undefined
  readonly allowWatchBookmarks?: boolean | undefined
  readonly timeoutSeconds?: number | undefined
  readonly sendInitialEvents?: boolean | undefined
}

/** The fields a custom resource can be selected by, as the API server allows them. */
export const SELECTABLE_FIELDS = ['metadata.name', 'metadata.namespace'] as const

/** A client this far behind (unsent text queued for it, beyond its initial events) is ended; it watches again from its last resourceVersion. */
const MAX_BUFFERED_BYTES = 1024 * 1024

/** How long an ended watch's unread text may keep its connection before it is closed. */
const DRAIN_MS = 30_000

// Each object is written once per batch, whatever the number of watches sending it.
const encoded = new WeakMap<object, string>()

/**
 * A `?watch=true` answer: newline-delimited WatchEvents (`{"type","object"}`) as a Kubernetes
 * API server streams them. Starts as the parameters say (k8s.io/apiserver semantics):
 * `resourceVersion` unset or "0" sends ADDED for every object first; another resourceVersion
 * sends what changed after it, or one ERROR event with a 410 Expired Status when it is older
 * than what is kept (a 200, as a server answers; the client lists again). `sendInitialEvents`
 * forces the initial ADDED events on or off, and with bookmarks ends them with a BOOKMARK
 * annotated `k8s.io/initial-events-end`. Ends after `timeoutSeconds` (by default 30 to 60
 * minutes, as a server's), when the client leaves, or when it reads too slowly.
 *
 * With `Accept: …;as=Table` (kubectl get -w) each object goes as a one-row Table, its column
 * definitions only in the first, as a server sends them.
 *
 * Throws a KubeError (400) for a malformed selector or resourceVersion, before anything is sent.
 */
export async function serveWatch(request: FastifyRequest, reply: FastifyReply, options: ServeWatchOptions): Promise<FastifyReply> {
  const resource = WATCH_RESOURCES[options.resource]
  if (!resource) throw badRequest(`watching ${options.resource} is not supported by this server`)
  const labels = parseLabelSelector(options.labelSelector)
  const fields = parseFieldSelector(options.fieldSelector, SELECTABLE_FIELDS)
  const start = watchStart(options, scopeOf(options.namespace, labels, fields))
  const matches = (object: WatchedObject) =>
    (options.namespace === undefined || object.metadata.namespace === options.namespace) &&
    matchesLabels(labels, object.metadata.labels) &&
    matchesFields(fields, { 'metadata.name': object.metadata.name, 'metadata.namespace': object.metadata.namespace })

  const table = wantsTable(request)
  const includeObject = includeObjectOf((request.query as Record<string, unknown> | undefined)?.includeObject)
  let headersSent = false
  const encode = (type: WatchEventType, object: WatchedObject | KubeStatus): string => {
    if (table && type !== 'BOOKMARK' && type !== 'ERROR') {
      const rows = toTable(resource.kind, [object as unknown as TableObject], { resourceVersion: (object as WatchedObject).metadata.resourceVersion }, includeObject)
      // A server sends the columns with the first event only (watchEmbeddedEncoder's NoHeaders).
      const event = { type, object: headersSent ? { ...rows, columnDefinitions: [] } : rows }
      headersSent = true
      return JSON.stringify(event) + '\n'
    }
    let text = encoded.get(object)
    if (text === undefined) {
      text = JSON.stringify(object)
      encoded.set(object, text)
    }
    return `{"type":"${type}","object":${text}}\n`
  }

  const body = new PassThrough()
  let limit = MAX_BUFFERED_BYTES
  let live = false
  let finished = false
  let stop: (() => void) | undefined
  const timers: NodeJS.Timeout[] = []
  const hub = kubeWatchHub(options.store)
  const finish = () => {
    if (finished) return
    finished = true
    stop?.()
    for (const timer of timers) clearTimeout(timer)
    if (!body.destroyed && !body.writableEnded) body.end()
    // A client that does not read keeps its connection only so long. Only an answer still
    // unfinished: a finished one's keep-alive socket may carry the client's next request.
    const drain = setTimeout(() => {
      if (!reply.raw.writableFinished) reply.raw.destroy()
    }, DRAIN_MS).unref()
    reply.raw.once('finish', () => clearTimeout(drain))
  }
  const sink: WatchSink = {
    resource,
    matches,
    bookmarks: options.allowWatchBookmarks === true,
    send: (type, object) => {
      if (finished || body.destroyed) return true
      body.write(encode(type, object))
      // The initial events are one list's worth, as a LIST answer would be; after them, a client
      // may fall behind by MAX_BUFFERED_BYTES only.
      return !live || body.writableLength <= limit
    },
    end: finish,
  }
  reply.raw.once('close', () => {
    finished = true
    stop?.()
    for (const timer of timers) clearTimeout(timer)
  })
  const timeout = options.timeoutSeconds !== undefined && options.timeoutSeconds > 0
    ? options.timeoutSeconds
    : 1800 + Math.floor(Math.random() * 1800)
  timers.push(setTimeout(() => {
    // A last BOOKMARK, so the client resumes from where the stream stood rather than from its last object.
    if (sink.bookmarks) hub.bookmarkNow(sink)
    finish()
  }, timeout * 1000).unref())

  // The head goes at once, as a server sends it, even with no event to send yet: client-go waits
  // for it (kubectl wait hangs on an object already in its condition). Node holds it back until
  // the first chunk otherwise; the body is piped once Fastify has set it.
  reply.raw.once('pipe', () => reply.raw.flushHeaders())
  // Headers at once, as a server sends them: a client's watch call returns only with them, and a
  // quiet resource may send no event for minutes. Fastify pipes the body once its hooks ran.
  reply.raw.once('pipe', () => {
    if (!reply.raw.headersSent) reply.raw.flushHeaders()
  })
  reply
    .code(200)
    .type('application/json')
    .header('cache-control', 'no-cache, private')
    .header('x-accel-buffering', 'no')
    .send(body)
  try {
    const unsubscribe = await hub.watch(sink, start)
    stop = unsubscribe
    if (finished) unsubscribe()
    live = true
    limit = body.writableLength + MAX_BUFFERED_BYTES
  } catch (error) {
    const status = error instanceof KubeError ? error.status : internalError(error instanceof Error ? error.message : String(error)).status
    if (!(error instanceof KubeError)) request.log.warn({ err: error }, 'kube watch failed to start')
    if (!finished && !body.destroyed) body.write(encode('ERROR', status))
    finish()
  }
  return reply
}

function watchStart(options: ServeWatchOptions, scope: ListScope): WatchStart {
  const rv = options.resourceVersion
  const unset = rv === undefined || rv === '' || rv === '0'
  if (!unset && !/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a resourceVersion this server gave`)
  if (options.sendInitialEvents === true) return { from: 'list', scope, initialEventsEnd: options.allowWatchBookmarks === true }
  if (unset) return options.sendInitialEvents === false ? { from: 'now' } : { from: 'list', scope }
  return { from: 'version', resourceVersion: Number(rv) }
}

/** What the selectors pin, so the initial list need not read every object. */
function scopeOf(namespace: string | undefined, labels: LabelSelector, fields: FieldSelector): ListScope {
  const name = fields.find((f) => f.field === 'metadata.name' && f.operator !== '!=')?.value
  const ns = fields.find((f) => f.field === 'metadata.namespace' && f.operator !== '!=')?.value ?? namespace
  const experiment = labels.find((l) => l.key === EXPERIMENT_LABEL && (l.operator === '=' || l.operator === '==' || (l.operator === 'in' && l.values.length === 1)))?.values[0]
  return {
    ...(ns !== undefined ? { namespace: ns } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(experiment !== undefined ? { experimentName: experiment } : {}),
  }
}

/**
 * A boolean query parameter as a server reads it (Go's strconv.ParseBool): the Python client
 * sends `watch=True`, kubectl `watch=true`, others `1`.
 */
function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && ['1', 't', 'T', 'true', 'True', 'TRUE'].includes(value))
}

/** Whether a list request is a watch (`?watch=true`, `True`, `1`..., as a server reads it). */
export function isWatch(query: { readonly watch?: unknown }): boolean {
  return isTrue(query.watch)
}

/** The watch parameters of a list request's query string. */
export function watchParams(query: Readonly<Record<string, unknown>>): Omit<ServeWatchOptions, 'resource' | 'store' | 'namespace'> {
  // A route's schema may have converted them already.
  const text = (key: string) => {
    const value = query[key]
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined
  }
  const flag = (key: string) => {
    const value = text(key)
    if (value === undefined) return undefined
    return isTrue(value)
  }
  const timeout = text('timeoutSeconds')
  if (timeout !== undefined && !/^\d+$/.test(timeout)) throw badRequest(`timeoutSeconds: Invalid value: "${timeout}": must be a whole number of seconds`)
  return {
    labelSelector: text('labelSelector'),
    fieldSelector: text('fieldSelector'),
    resourceVersion: text('resourceVersion'),
    allowWatchBookmarks: flag('allowWatchBookmarks'),
    timeoutSeconds: timeout !== undefined ? Number(timeout) : undefined,
    sendInitialEvents: flag('sendInitialEvents'),
  }
}
