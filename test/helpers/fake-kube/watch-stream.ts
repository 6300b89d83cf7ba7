import type { ServerResponse } from 'node:http'
import type { FieldSelector } from './field-selector.ts'
import { clone, type KubeObject } from './kube-object.ts'
import type { LabelSelector } from './label-selector.ts'
import type { ObjectStore, StoreEvent, WatchEventType } from './object-store.ts'
import { apiVersionOf, type ResourceType } from './resource-types.ts'
import { gone } from './status.ts'

export interface WatchRequest {
  type: ResourceType
  namespace: string | undefined
  labels: LabelSelector
  fields: FieldSelector
  /** The `resourceVersion` parameter: unset or "0" starts with ADDED for what exists. */
  resourceVersion: string | undefined
  allowBookmarks: boolean
  timeoutSeconds: number | undefined
}

export interface WatchBehaviour {
  bookmarkIntervalMs: number
  /** End the response after this many events (a dropped watch). */
  dropAfterEvents?: number
  /** Reset the connection at the drop instead of ending the response. */
  dropAbruptly?: boolean
  /** 410 as an HTTP status instead of the ERROR event a real server sends. */
  goneAsHttpStatus: boolean
}

/**
 * One watch connection: newline-delimited `{"type","object"}` events, replayed from the history
 * after `resourceVersion` and then live. A filtered watch sees an object that stops matching as
 * DELETED and one that starts matching as ADDED, as the API server's watch cache does. A
 * resourceVersion older than the history gets a 200 with one ERROR event carrying a 410 Expired
 * Status (what kube-apiserver sends), then the end.
 */
export function serveWatch(
  store: ObjectStore,
  request: WatchRequest,
  behaviour: WatchBehaviour,
  res: ServerResponse,
  hooks: { onStart: (stop: () => void) => void; onEnd: () => void },
): void {
  const { type, namespace } = request
  const matches = (object: KubeObject | undefined) =>
    object !== undefined && (!type.namespaced || namespace === undefined || object.metadata.namespace === namespace) && request.labels(object.metadata.labels) && request.fields(object)

  let backlog: { type: WatchEventType; object: KubeObject }[]
  const rv = request.resourceVersion
  if (rv === undefined || rv === '' || rv === '0') {
    backlog = store
      .list(type, namespace)
      .filter((o) => matches(o))
      .map((object) => ({ type: 'ADDED' as const, object: clone(object) }))
  } else {
    const since = Number(rv)
    const events = Number.isFinite(since) ? store.eventsSince(since) : 'expired'
    if (events === 'expired') {
      const error = gone(`too old resource version: ${rv} (${store.oldestResumableVersion})`)
      if (behaviour.goneAsHttpStatus) {
        res.writeHead(410, { 'content-type': 'application/json' })
        res.end(JSON.stringify(error.toStatus()))
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })
        res.end(JSON.stringify({ type: 'ERROR', object: error.toStatus() }) + '\n')
      }
      hooks.onEnd()
      return
    }
    backlog = events.flatMap((event) => translate(event, type, matches))
  }

  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })
  res.flushHeaders()
  let sent = 0
  let ended = false
  const timers: NodeJS.Timeout[] = []
  const finish = () => {
    if (ended) return
    ended = true
    unsubscribe()
    for (const timer of timers) clearTimeout(timer)
    if (!res.writableEnded) res.end()
    hooks.onEnd()
  }
  hooks.onStart(finish)
  const send = (eventType: string, object: KubeObject) => {
    if (ended) return
    res.write(JSON.stringify({ type: eventType, object: { apiVersion: apiVersionOf(type), kind: type.kind, ...object } }) + '\n')
    if (eventType !== 'BOOKMARK') sent++
    if (behaviour.dropAfterEvents !== undefined && sent >= behaviour.dropAfterEvents) {
      if (behaviour.dropAbruptly) res.destroy()
      finish()
    }
  }
  const unsubscribe = store.subscribe((event) => {
    for (const e of translate(event, type, matches)) send(e.type, e.object)
  })
  res.on('close', finish)
  for (const event of backlog) send(event.type, event.object)
  if (request.allowBookmarks) {
    const bookmark = () => {
      send('BOOKMARK', { metadata: { resourceVersion: String(store.resourceVersion) } })
      timers.push(setTimeout(bookmark, behaviour.bookmarkIntervalMs).unref())
    }
    timers.push(setTimeout(bookmark, behaviour.bookmarkIntervalMs).unref())
  }
  if (request.timeoutSeconds !== undefined && request.timeoutSeconds > 0) {
    timers.push(setTimeout(finish, request.timeoutSeconds * 1000).unref())
  }
}

function translate(event: StoreEvent, type: ResourceType, matches: (o: KubeObject | undefined) => boolean): { type: WatchEventType; object: KubeObject }[] {
  if (event.resource.group !== type.group || event.resource.plural !== type.plural) return []
  const now = matches(event.object)
  if (event.type === 'MODIFIED') {
    const before = matches(event.previous)
    if (now && !before) return [{ type: 'ADDED', object: event.object }]
    if (!now && before) return [{ type: 'DELETED', object: event.object }]
  }
  return now ? [{ type: event.type, object: event.object }] : []
}
