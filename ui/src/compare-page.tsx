import { useCallback, useEffect, useMemo, useState } from 'preact/hooks'
import { api } from './api-client.ts'
import type { ApiError } from './api-error.ts'
import type { ExperimentSummary } from './api-types.ts'
import { bestSoFar, compareColor, CompareChart, compareLabel } from './compare-chart.tsx'
import { useComparedExperiments, type ComparedExperiment } from './compare-data.ts'
import { formatNumber } from './format.ts'
import { Link } from './link.tsx'
import { Notice } from './notice.tsx'
import { compareSelection, paths } from './router.ts'
import { StatusBadge } from './status-badge.tsx'
import { useLiveRefresh } from './use-live-refresh.ts'

/**
 * Several experiments side by side (e.g. one nasConfig searched by enas, evolution and random):
 * their objective over trials and best so far on one chart, and a row each with its best. The
 * choice lives in the address (`/compare?experiments=a,b`), so a comparison can be linked.
 */
export function ComparePage() {
  const [selected, setSelected] = useState<readonly string[]>(() => compareSelection(location.search))
  const [search, setSearch] = useState('')
  const [list, setList] = useState<ExperimentSummary[] | undefined>(undefined)
  const [listError, setListError] = useState<ApiError | undefined>(undefined)
  const compared = useComparedExperiments(selected)

  const loadList = useCallback(async () => {
    try {
      setList((await api.listExperiments({ limit: 1000 })).items)
      setListError(undefined)
    } catch (e) {
      setListError(e as ApiError)
    }
  }, [])
  useEffect(() => void loadList(), [])
  useLiveRefresh('/api/v1/events', () => void loadList(), 2000)

  const choose = (name: string, on: boolean) => {
    const next = on ? [...selected.filter((n) => n !== name), name] : selected.filter((n) => n !== name)
    setSelected(next)
    history.replaceState(null, '', paths.compare(next))
  }
  const shown = useMemo(() => selected.map((n) => compared.get(n)).filter((e): e is ComparedExperiment => e !== undefined), [selected, compared])
  const ready = shown.filter((e) => e.info !== undefined)
  const metrics = [...new Set(ready.map((e) => `${e.info!.objective.metric} (${e.info!.objective.type})`))]
  const metric = metrics.length === 1 ? ready[0]!.info!.objective.metric : 'objective'
  const needle = search.trim().toLowerCase()
  const candidates = (list ?? []).filter((e) => !needle || e.name.toLowerCase().includes(needle) || e.algorithmName.toLowerCase().includes(needle))

  return (
    <main class="page compare-page">
      <div class="page-head"><h1>Compare experiments</h1></div>
      <p class="muted">The objective of every trial and the best so far, of each experiment you pick, on one chart.</p>
      <div class="compare-layout">
        <section class="panel compare-picker" aria-label="Experiments to compare">
          <label class="field">
            <span>Experiments</span>
            <input type="search" placeholder="Filter by name or algorithm" value={search} onInput={(e) => setSearch(e.currentTarget.value)} aria-label="Filter experiments" />
          </label>
          {listError && <Notice kind="error">Cannot list experiments: {listError.message}</Notice>}
          {!list && !listError && <Notice kind="loading">Loading experiments…</Notice>}
          {list && candidates.length === 0 && <Notice>{list.length === 0 ? 'No experiments yet.' : 'No experiment matches.'}</Notice>}
          <ul class="pick-list">
            {candidates.map((e) => (
              <li key={e.name}>
                <label class="pick">
                  <input type="checkbox" checked={selected.includes(e.name)} onChange={(event) => choose(e.name, event.currentTarget.checked)} />
                  <span class="strong">{e.name}</span>
                  <span class="muted small">{e.algorithmName} · {e.trials.total} trials · {e.objective.type === 'minimize' ? '↓' : '↑'} {e.objective.metricName}</span>
                </label>
              </li>
            ))}
          </ul>
        </section>
        <section class="panel compare-main">
          {selected.length === 0 && <Notice>Pick two or more experiments to see them side by side.</Notice>}
          {selected.length > 0 && shown.length < selected.length && <Notice kind="loading">Loading {selected.length - shown.length} experiment(s)…</Notice>}
          {metrics.length > 1 && <Notice>These experiments optimise different objectives ({metrics.join(', ')}): their values share one axis.</Notice>}
          {ready.length > 0 && <CompareChart experiments={ready} metric={metric} />}
          {shown.length > 0 && <CompareTable experiments={shown} order={selected} />}
        </section>
      </div>
    </main>
  )
}

function CompareTable(props: { experiments: readonly ComparedExperiment[]; order: readonly string[] }) {
  return (
    <div class="table-wrap">
      <table class="table" data-testid="compare-table">
        <thead>
          <tr><th>Experiment</th><th>Algorithm</th><th>Status</th><th class="num">Trials</th><th class="num">Best</th><th class="num">Found at trial</th></tr>
        </thead>
        <tbody>
          {props.experiments.map((e) => {
            if (e.error || !e.experiment) {
              return <tr key={e.name}><td>{e.name}</td><td colSpan={5} class="bad">{e.error?.message ?? 'not loaded'}</td></tr>
            }
            const { best } = bestSoFar(e)
            const last = best[best.length - 1]
            // The trial where the final best value first appeared.
            const foundAt = last ? best.find((b) => b[1] === last[1])![0] : undefined
            const index = props.order.indexOf(e.name)
            // An objective reported only as text (a DARTS genotype): the best trial's text.
            const bestText = last ? undefined : e.experiment.status.currentOptimalTrial.observation.textMetrics?.find((m) => m.name === e.info?.objective.metric)?.latest
            return (
              <tr key={e.name} data-testid="compare-row">
                <td>
                  <span class="swatch" style={{ background: compareColor(index) }} aria-hidden="true" />
                  <Link href={paths.experiment(e.name)} class="strong" title={compareLabel(e)}>{e.name}</Link>
                </td>
                <td>{e.algorithm}</td>
                <td><StatusBadge state={e.experiment.status.state} /></td>
                <td class="num">{e.trials.length}</td>
                <td class="num">{bestText !== undefined ? <span class="text-value" title={bestText}>{bestText}</span> : formatNumber(last?.[1])} <span class="muted small">{e.info?.objective.type === 'maximize' ? '↑' : '↓'} {e.info?.objective.metric}</span></td>
                <td class="num">{foundAt ?? '–'}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
