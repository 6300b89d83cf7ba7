import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { api } from './api-client.ts'
import type { ApiError } from './api-error.ts'
import type { ExperimentSummary } from './api-types.ts'
import { formatAge, formatNumber } from './format.ts'
import { Link } from './link.tsx'
import { Notice } from './notice.tsx'
import { paths } from './router.ts'
import { StatusBadge } from './status-badge.tsx'
import { TrialProgress } from './trial-progress.tsx'
import { useLiveRefresh } from './use-live-refresh.ts'

const STATUSES = ['Running', 'Created', 'Restarting', 'Succeeded', 'Failed'] as const

/** All experiments, newest first, with a status filter and a name search (both answered by the server). */
export function ExperimentsPage() {
  const [status, setStatus] = useState('')
  const [search, setSearch] = useState('')
  const [items, setItems] = useState<ExperimentSummary[] | undefined>(undefined)
  const [next, setNext] = useState<string | null>(null)
  const [error, setError] = useState<ApiError | undefined>(undefined)
  const [shown, setShown] = useState(100)
  const query = useRef({ status, search, shown })
  query.current = { status, search, shown }

  const load = useCallback(async () => {
    const q = query.current
    try {
      const page = await api.listExperiments({ status: q.status || undefined, name: q.search.trim() || undefined, limit: Math.min(q.shown, 1000) })
      // An answer to an older filter must not overwrite the current one.
      if (q.status !== query.current.status || q.search !== query.current.search) return
      setItems(page.items)
      setNext(page.nextCursor)
      setError(undefined)
    } catch (e) {
      setError(e as ApiError)
    }
  }, [])

  useEffect(() => {
    const timer = setTimeout(() => void load(), 200)
    return () => clearTimeout(timer)
  }, [status, search, shown])
  useLiveRefresh('/api/v1/events', () => void load(), 1000)

  return (
    <main class="page">
      <div class="page-head">
        <h1>Experiments</h1>
        <Link href={paths.newExperiment()} class="button primary">New experiment</Link>
      </div>
      <div class="toolbar" role="search">
        <label class="field">
          <span>Status</span>
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)} aria-label="Filter by status">
            <option value="">All</option>
            {STATUSES.map((s) => <option value={s}>{s}</option>)}
          </select>
        </label>
        <label class="field grow">
          <span>Name</span>
          <input type="search" placeholder="Search by name" value={search} onInput={(e) => setSearch(e.currentTarget.value)} aria-label="Search by name" />
        </label>
      </div>
      {error && <Notice kind="error">Cannot list experiments: {error.message}</Notice>}
      {!items && !error && <Notice kind="loading">Loading experiments…</Notice>}
      {items && items.length === 0 && (
        <Notice>
          {status || search ? 'No experiment matches these filters.' : <>No experiments yet. <Link href={paths.newExperiment()}>Create one</Link> from a Katib Experiment YAML.</>}
        </Notice>
      )}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="table experiments-table">
            <thead>
              <tr><th>Name</th><th>Status</th><th>Algorithm</th><th>Progress</th><th>Best objective</th><th>Created</th></tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.name}>
                  <td><Link href={paths.experiment(e.name)} class="strong">{e.name}</Link></td>
                  <td><StatusBadge state={e.state} title={e.message ?? e.reason} /></td>
                  <td>{e.algorithmName}</td>
                  <td><TrialProgress trials={e.trials} max={e.maxTrialCount} /></td>
                  <td class="num">
                    {formatNumber(e.best?.objective)}
                    <span class="muted small"> {e.objective.type === 'minimize' ? '↓' : '↑'} {e.objective.metricName}</span>
                  </td>
                  <td title={e.createdAt}>{formatAge(e.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && <button class="button" onClick={() => setShown(shown + 100)}>Show more</button>}
    </main>
  )
}
