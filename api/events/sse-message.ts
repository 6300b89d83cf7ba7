import type { TunewellEvent } from '../../core/events.ts'
import type { FeedEvent } from '../../db/store.ts'

/**
 * What `data:` carries: the event (its type and payload, core/events.ts) with names instead of
 * ids (ids mean nothing to a dashboard). The dashboard reads it with this very type.
 */
export type EventData = TunewellEvent & {
  readonly id: number
  readonly experiment: string
  readonly trial: string | null
  readonly at: string
}

/** Stream events that are not database events (sseNotice): they carry no id. */
export type StreamNoticeType = 'replay-truncated'

/**
 * One server-sent event. JSON.stringify escapes line breaks inside strings, so `data:` is always
 * a single line and the blank line that ends the event cannot appear inside it.
 */
export function sseEvent(event: FeedEvent): string {
  const data = {
    id: event.id,
    type: event.type,
    experiment: event.experimentName,
    trial: event.trialName,
    payload: event.payload ?? null,
    at: event.at.toISOString(),
  } as EventData
  return `id: ${event.id}\nevent: ${sseField(event.type)}\ndata: ${JSON.stringify(data)}\n\n`
}

/**
 * A stream event that is not a database event, so it has no `id:` and leaves the client's
 * Last-Event-ID where it was.
 */
export function sseNotice(type: StreamNoticeType, data: unknown): string {
  return `event: ${sseField(type)}\ndata: ${JSON.stringify(data)}\n\n`
}

/** A comment line: ignored by EventSource, but it keeps proxies and load balancers from timing the stream out. */
export function sseComment(text: string): string {
  return `: ${sseField(text)}\n\n`
}

/** A field value may not break the line it is on. */
function sseField(text: string): string {
  return text.replace(/[\r\n]/g, ' ')
}
