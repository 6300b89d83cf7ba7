import type { ExperimentSummary } from './api-types.ts'

/** Succeeded / running / failed out of maxTrialCount (or of the trials so far when unlimited). */
export function TrialProgress(props: { trials: ExperimentSummary['trials']; max: number | null }) {
  const t = props.trials
  const failed = t.Failed + t.Killed + t.MetricsUnavailable
  const done = t.Succeeded + t.EarlyStopped
  const running = t.Running + t.Pending
  const of = Math.max(props.max ?? t.total, t.total, 1)
  const pct = (n: number) => `${(100 * n) / of}%`
  const text = `${done} succeeded, ${running} running, ${failed} failed of ${props.max ?? 'unlimited'}`
  return (
    <div class="progress" title={text}>
      <div class="progress-bar" aria-hidden="true">
        <span class="seg seg-done" style={{ width: pct(done) }} />
        <span class="seg seg-running" style={{ width: pct(running) }} />
        <span class="seg seg-failed" style={{ width: pct(failed) }} />
      </div>
      <span class="progress-text">
        {done}
        {running > 0 && <span class="muted"> +{running}</span>}
        {failed > 0 && <span class="bad"> ✕{failed}</span>}
        <span class="muted"> / {props.max ?? '∞'}</span>
      </span>
      <span class="sr-only">{text}</span>
    </div>
  )
}
