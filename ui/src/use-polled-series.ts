import { useEffect, useState } from 'preact/hooks'
import { isMissingRoute } from './api-error.ts'
import type { Series } from './curve-series.ts'

export interface PolledSeries {
  readonly series?: Series[]
  readonly problem?: string
}

/**
 * Curves read by `load`, read again every `everyMs` while `live`; the read in flight is dropped
 * when `deps` change. A failure stops the polling and becomes the message to show, `missingRoute`
 * for a server without the observations API.
 */
export function usePolledSeries(
  load: (signal: AbortSignal) => Promise<Series[]>,
  o: { readonly live: boolean; readonly everyMs: number; readonly missingRoute: string },
  deps: readonly unknown[],
): PolledSeries {
  const [series, setSeries] = useState<Series[] | undefined>(undefined)
  const [problem, setProblem] = useState<string | undefined>(undefined)
  useEffect(() => {
    const abort = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const read = async () => {
      try {
        setSeries(await load(abort.signal))
        setProblem(undefined)
        if (o.live) timer = setTimeout(read, o.everyMs)
      } catch (error) {
        if (abort.signal.aborted) return
        setProblem(isMissingRoute(error) ? o.missingRoute : (error as Error).message)
      }
    }
    void read()
    return () => {
      abort.abort()
      clearTimeout(timer)
    }
  }, deps)
  return { ...(series ? { series } : {}), ...(problem !== undefined ? { problem } : {}) }
}
