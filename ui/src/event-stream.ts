import { apiFetch } from './api-client.ts'
import { isMissingRoute } from './api-error.ts'
import type { EventData, StreamNoticeType } from './api-types.ts'

export interface StreamEvent {
  /** The server's own: an experiment event (`data` is its EventData, JSON) or a notice without an id. */
  readonly type: EventData['type'] | StreamNoticeType
  readonly id: string | undefined
  readonly data: string
}

export interface StreamHandlers {
  onEvent(event: StreamEvent): void
  /** Connected (again): whatever happened while disconnected may have been missed. */
  onOpen?(): void
  /** This server has no such stream: the caller polls instead. */
  onUnsupported?(): void
}

/**
 * Reads a server-sent-event stream with fetch rather than EventSource, because EventSource
 * cannot send the Authorization header. Reconnects with Last-Event-ID (so nothing is lost while
 * the connection was down) and backs off up to 10 s. Returns the function that closes it.
 */
export function openEventStream(path: string, handlers: StreamHandlers): () => void {
  const abort = new AbortController()
  let lastId: string | undefined
  let delay = 500
  const run = async () => {
    while (!abort.signal.aborted) {
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) }
        const response = await apiFetch(path, { signal: abort.signal, headers })
        if (!response.body) throw new Error('no body')
        delay = 500
        handlers.onOpen?.()
        await readEvents(response.body, (event) => {
          if (event.id !== undefined) lastId = event.id
          handlers.onEvent(event)
        })
      } catch (error) {
        if (abort.signal.aborted) return
        if (isMissingRoute(error)) {
          handlers.onUnsupported?.()
          return
        }
      }
      await new Promise((resolve) => setTimeout(resolve, delay))
      delay = Math.min(delay * 2, 10_000)
    }
  }
  void run()
  return () => abort.abort()
}

/** The text/event-stream format: fields per line, an empty line ends an event; `:` lines are comments. */
async function readEvents(body: ReadableStream<Uint8Array>, emit: (event: StreamEvent) => void): Promise<void> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let type = ''
  let id: string | undefined
  let data: string[] = []
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += decoder.decode(value, { stream: true })
    let newline: number
    while ((newline = buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = buffer.slice(0, newline)
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
      if (line === '') {
        // The API names every event it sends (api/events/sse-message.ts).
        if (data.length > 0 || type) emit({ type: type as StreamEvent['type'], id, data: data.join('\n') })
        type = ''
        data = []
        continue
      }
      if (line.startsWith(':')) continue
      const colon = line.indexOf(':')
      const field = colon < 0 ? line : line.slice(0, colon)
      const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (field === 'event') type = text
      else if (field === 'data') data.push(text)
      else if (field === 'id') id = text
    }
  }
}
