import { useState } from 'preact/hooks'
import { apiFetch } from './api-client.ts'
import type { ApiError } from './api-error.ts'
import { token } from './token.ts'

/**
 * "Export CSV": every trial as the API's `trials:export` file. Without a token it is a plain
 * link, so the browser streams the download itself; a link cannot carry the bearer token the
 * dashboard keeps in sessionStorage, so with one the file is fetched with it and saved from a Blob.
 */
export function ExportLink(props: { experiment: string }) {
  const href = `/api/v1/experiments/${encodeURIComponent(props.experiment)}/trials:export?format=csv`
  const filename = `${props.experiment}-trials.csv`
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const onClick = async (event: MouseEvent) => {
    if (!token.value) return
    event.preventDefault()
    if (busy) return
    setBusy(true)
    setError(undefined)
    try {
      const blob = await (await apiFetch(href, { headers: { accept: 'text/csv' } })).blob()
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = filename
      document.body.append(a)
      a.click()
      a.remove()
      // The click has handed the Blob to the download; give it a moment before letting it go.
      setTimeout(() => URL.revokeObjectURL(url), 60_000)
    } catch (e) {
      setError((e as ApiError).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <a class="button" href={href} download={filename} aria-busy={busy} data-testid="export-csv" onClick={onClick}>Export CSV</a>
      {error && <p class="bad" role="alert">{error}</p>}
    </>
  )
}
