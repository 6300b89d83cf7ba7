import { useCallback, useEffect, useState } from 'preact/hooks'
import { api } from './api-client.ts'
import type { ApiError } from './api-error.ts'
import type { TrialView } from './api-types.ts'
import { ArchitectureView } from './architecture-view.tsx'
import { formatDuration, formatNumber, formatTime } from './format.ts'
import { Link } from './link.tsx'
import { architectureOf, NAS_ASSIGNMENTS } from './nas-architecture.ts'
import { LogTail } from './log-tail.tsx'
import { Notice } from './notice.tsx'
import { violationText } from './outcome-text.ts'
import { paths } from './router.ts'
import { StatusBadge } from './status-badge.tsx'
import { TrialCurves } from './trial-curves.tsx'
import { readViolations } from './trial-row.ts'
import { useLiveRefresh } from './use-live-refresh.ts'

/** One trial: state, parameters, metrics (summary and curves) and its output, live while it runs. */
export function TrialPage(props: { experiment: string; trial: string }) {
  const [trial, setTrial] = useState<TrialView | undefined>(undefined)
  const [error, setError] = useState<ApiError | undefined>(undefined)
  const [killing, setKilling] = useState(false)
  const load = useCallback(async () => {
    try {
      setTrial(await api.getTrial(props.experiment, props.trial))
      setError(undefined)
    } catch (e) {
      setError(e as ApiError)
    }
  }, [props.experiment, props.trial])
  useEffect(() => void load(), [load])
  useLiveRefresh(`/api/v1/experiments/${encodeURIComponent(props.experiment)}/events`, () => void load(), 500)

  const crumbs = (
    <nav class="crumbs" aria-label="Breadcrumb">
      <Link href={paths.experiments()}>Experiments</Link> / <Link href={paths.experiment(props.experiment)}>{props.experiment}</Link> / {props.trial}
    </nav>
  )
  if (!trial) return <main class="page">{crumbs}{error ? <Notice kind="error">{error.message}</Notice> : <Notice kind="loading">Loading trial…</Notice>}</main>
  const running = trial.state === 'Running' || trial.state === 'Pending'
  const nas = architectureOf(trial.params) !== undefined
  const ran = trial.startedAt ? (trial.finishedAt ? Date.parse(trial.finishedAt) : Date.now()) - Date.parse(trial.startedAt) : undefined
  return (
    <main class="page trial-page">
      {crumbs}
      <section class="title-row">
        <h1>Trial {trial.number}</h1>
        <StatusBadge state={trial.state} />
        {trial.reason && <span class="muted">{trial.reason}</span>}
        {running && (
          <button class="button danger" disabled={killing} onClick={async () => {
            setKilling(true)
            try { setTrial(await api.killTrial(props.experiment, props.trial)) } catch (e) { setError(e as ApiError) } finally { setKilling(false) }
          }}>Kill</button>
        )}
      </section>
      {trial.message && <TrialMessage message={trial.message} />}
      {error && <Notice kind="error">{error.message}</Notice>}
      <div class="cards">
        <div class="card">
          <h2>Parameters</h2>
          <ArchitectureView params={trial.params} />
          <table class="kv"><tbody>
            {trial.parameterAssignments.filter((a) => !(nas && NAS_ASSIGNMENTS.has(a.name))).map((a) => <tr><th scope="row">{a.name}</th><td class="num">{a.value}</td></tr>)}
          </tbody></table>
          {nas && (
            <details class="small">
              <summary>As the trial received them</summary>
              {trial.parameterAssignments.filter((a) => NAS_ASSIGNMENTS.has(a.name)).map((a) => <><h3 class="small">{a.name}</h3><pre class="code wrap">{a.value}</pre></>)}
            </details>
          )}
        </div>
        <div class="card">
          <h2>Metrics</h2>
          {trial.observation.metrics.length === 0 && !trial.observation.textMetrics?.length ? <p class="muted">None reported yet.</p> : (
            <table class="kv metrics">
              <thead><tr><th /><th class="num">latest</th><th class="num">min</th><th class="num">max</th></tr></thead>
              <tbody>
                {trial.observation.metrics.map((m) => (
                  <tr><th scope="row">{m.name}</th><td class="num">{formatNumber(m.latest)}</td><td class="num">{formatNumber(m.min)}</td><td class="num">{formatNumber(m.max)}</td></tr>
                ))}
                {/* Reported only as text (a DARTS genotype): its latest text where the numbers would go. */}
                {trial.observation.textMetrics?.map((m) => (
                  <tr><th scope="row">{m.name}</th><td colSpan={3}><pre class="code wrap" data-testid="text-metric">{m.latest}</pre></td></tr>
                ))}
              </tbody>
            </table>
          )}
          <p class="small">objective: <strong>{trial.objective === null && trial.observation.textMetrics?.length ? 'as text, above' : formatNumber(trial.objective)}</strong></p>
          <TrialStanding trial={trial} />
        </div>
        <div class="card">
          <h2>Timing</h2>
          <dl class="counts">
            <dt>created</dt><dd>{formatTime(trial.createdAt)}</dd>
            <dt>started</dt><dd>{formatTime(trial.startedAt)}</dd>
            <dt>finished</dt><dd>{formatTime(trial.finishedAt)}</dd>
            <dt>ran</dt><dd>{ran !== undefined ? formatDuration(ran) : '–'}</dd>
            {trial.restarts > 0 && <><dt>restarts</dt><dd>{trial.restarts}</dd></>}
          </dl>
        </div>
      </div>
      <section class="panel">
        <h2>Metrics by step</h2>
        <TrialCurves experiment={props.experiment} trial={props.trial} running={running} />
      </section>
      <section class="panel">
        <h2>Output {running && <span class="muted small">(refreshing)</span>}</h2>
        <LogTail experiment={props.experiment} trial={props.trial} running={running} />
      </section>
    </main>
  )
}

/** With constraints (the API sends `feasible` only then): whether the trial kept them, and those it broke. */
function TrialStanding(props: { trial: TrialView }) {
  const { feasible } = props.trial
  const broken = readViolations(props.trial.violations) ?? []
  return (
    <>
      {feasible === true && <p class="small good">feasible: met every constraint</p>}
      {feasible === false && <p class="small bad" data-testid="trial-infeasible">infeasible: broke {broken.map(violationText).join(', ')}</p>}
    </>
  )
}

/**
 * A trial's message: its first line says what happened; a failed trial's message goes on with
 * the last lines its program printed (at most 80 lines, 2 KB), shown as they were printed.
 */
function TrialMessage(props: { message: string }) {
  const cut = props.message.indexOf('\n')
  if (cut === -1) return <p class="message">{props.message}</p>
  return (
    <>
      <p class="message">{props.message.slice(0, cut)}</p>
      <pre class="code" data-testid="trial-failure-output" aria-label="Last lines of the trial's output">{props.message.slice(cut + 1)}</pre>
    </>
  )
}
