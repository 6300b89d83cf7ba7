import { useEffect, useRef, useState } from 'preact/hooks'
import { api } from './api-client.ts'
import { ApiError } from './api-error.ts'
import { Notice } from './notice.tsx'

const LINES = 400

/** The last lines of a trial's output, re-read every 2 s while it may still write. */
export function LogTail(props: { experiment: string; trial: string; running: boolean }) {
  const [text, setText] = useState<string | undefined>(undefined)
  const [problem, setProblem] = useState<string | undefined>(undefined)
  const box = useRef<HTMLPreElement>(null)
  useEffect(() => {
    const abort = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = async () => {
      try {
        const next = await api.trialLogTail(props.experiment, props.trial, LINES, abort.signal)
        const el = box.current
        // Keep following the end only when the reader is already there.
        const atEnd = !el || el.scrollHeight - el.scrollTop - el.clientHeight < 24
        setText(next)
        setProblem(undefined)
        if (atEnd) requestAnimationFrame(() => box.current && (box.current.scrollTop = box.current.scrollHeight))
      } catch (error) {
        if (abort.signal.aborted) return
        setProblem(error instanceof ApiError && error.code === 'LOG_NOT_FOUND' ? 'No output yet.' : (error as Error).message)
      }
      if (props.running && !abort.signal.aborted) timer = setTimeout(load, 2000)
    }
    void load()
    return () => {
      abort.abort()
      clearTimeout(timer)
    }
  }, [props.experiment, props.trial, props.running])
  if (problem && text === undefined) return <Notice>{problem}</Notice>
  if (text === undefined) return <Notice kind="loading">Loading output…</Notice>
  return <pre class="code log" ref={box} data-testid="log-tail" tabIndex={0} aria-label="Trial output">{text || '(empty)'}</pre>
}
