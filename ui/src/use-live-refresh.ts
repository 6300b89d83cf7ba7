import { useEffect, useRef } from 'preact/hooks'
import { openEventStream } from './event-stream.ts'

/**
 * Calls `refresh` whenever the server's event stream at `path` reports something (at most every
 * `throttleMs`), or every 2 s when the server has no such stream. `refresh` should read only
 * what it shows.
 */
export function useLiveRefresh(path: string | null, refresh: () => void, throttleMs = 500): void {
  const latest = useRef(refresh)
  latest.current = refresh
  useEffect(() => {
    if (path === null) return
    let timer: ReturnType<typeof setTimeout> | undefined
    let interval: ReturnType<typeof setInterval> | undefined
    const soon = () => {
      timer ??= setTimeout(() => {
        timer = undefined
        latest.current()
      }, throttleMs)
    }
    const close = openEventStream(path, {
      onOpen: soon,
      onEvent: soon,
      onUnsupported: () => {
        interval = setInterval(() => latest.current(), 2000)
      },
    })
    return () => {
      close()
      clearTimeout(timer)
      clearInterval(interval)
    }
  }, [path])
}
