import { request as httpRequest, type IncomingMessage } from 'node:http'

export interface WatchEvent {
  readonly type: string
  readonly object: any
}

/** A watch answer read line by line, as client-go reads one. */
export interface WatchClient {
  readonly status: number
  readonly headers: IncomingMessage['headers']
  /** Every event so far, in order. */
  readonly events: WatchEvent[]
  /** The next event not yet taken that satisfies `predicate` (events before it are taken too). */
  next(predicate?: (event: WatchEvent) => boolean, timeoutMs?: number): Promise<WatchEvent>
  /** Resolves once the server ended the answer. */
  readonly ended: Promise<void>
  close(): void
}

/** GETs `url` (a `?watch=1` list URL) and parses its newline-delimited WatchEvents. */
export function openWatch(url: string, headers: Record<string, string> = {}): Promise<WatchClient> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { accept: 'application/json', ...headers } }, (res) => {
      const events: WatchEvent[] = []
      let taken = 0
      let buffer = ''
      let done = false
      const waiters = new Set<() => void>()
      const wake = () => {
        for (const waiter of [...waiters]) waiter()
      }
      let endedResolve!: () => void
      const ended = new Promise<void>((r) => (endedResolve = r))
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        let newline: number
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline)
          buffer = buffer.slice(newline + 1)
          if (line.trim() !== '') events.push(JSON.parse(line) as WatchEvent)
        }
        wake()
      })
      const finish = () => {
        if (done) return
        done = true
        if (buffer.trim() !== '') events.push(JSON.parse(buffer) as WatchEvent)
        buffer = ''
        endedResolve()
        wake()
      }
      res.on('end', finish)
      res.on('close', finish)
      res.on('error', () => {})
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        ended,
        close: () => {
          req.destroy()
        },
        next: (predicate = () => true, timeoutMs = 10_000) =>
          new Promise<WatchEvent>((resolveNext, rejectNext) => {
            const check = () => {
              while (taken < events.length) {
                const event = events[taken++]!
                if (predicate(event)) {
                  cleanup()
                  resolveNext(event)
                  return
                }
              }
              if (done) {
                cleanup()
                rejectNext(new Error(`the watch ended without the event; it sent ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name, e.object?.metadata?.resourceVersion]))}`))
              }
            }
            const timer = setTimeout(() => {
              cleanup()
              rejectNext(new Error(`no such event within ${timeoutMs} ms; the watch sent ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name, e.object?.metadata?.resourceVersion]))}`))
            }, timeoutMs)
            const cleanup = () => {
              clearTimeout(timer)
              waiters.delete(check)
            }
            waiters.add(check)
            check()
          }),
      })
    })
    req.on('error', reject)
    req.end()
  })
}
