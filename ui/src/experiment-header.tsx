import type { ComponentChildren } from 'preact'
import type { ExperimentResource } from './api-types.ts'
import { ArchitectureView } from './architecture-view.tsx'
import { formatAge, formatNumber, formatTime } from './format.ts'
import { formatAssignmentOf } from './parameter-value.ts'
import { Link } from './link.tsx'
import { NAS_ASSIGNMENTS } from './nas-architecture.ts'
import { paths } from './router.ts'
import type { SpecInfo } from './spec-info.ts'
import { StatusBadge } from './status-badge.tsx'

/** State with reason and message, Katib's conditions, trial counts and the best trial's parameters. */
export function ExperimentHeader(props: { experiment: ExperimentResource; info: SpecInfo; live: string; frontCard?: ComponentChildren; budget?: ComponentChildren }) {
  const { status, metadata } = props.experiment
  const best = status.currentOptimalTrial
  const objective = best.observation.metrics.find((m) => m.name === props.info.objective.metric)
  // The value the strategy took from the trial's series (its objective, as `tunewell best` and the table show it), not its min or max.
  const bestValue = objective ? objective[props.info.objective.strategy] : undefined
  // An objective reported only as text (a DARTS genotype) is shown as that text.
  const bestText = objective ? undefined : best.observation.textMetrics?.find((m) => m.name === props.info.objective.metric)?.latest
  return (
    <section class="experiment-header">
      <div class="title-row">
        <h1>{metadata.name}</h1>
        <StatusBadge state={status.state} />
        {status.reason && <span class="muted">{status.reason}</span>}
        <span class={`live live-${props.live}`} title={props.live === 'stream' ? 'live: server-sent events' : props.live === 'polling' ? 'live: polling every 2 s' : 'connecting'}>
          ● {props.live === 'stream' ? 'live' : props.live === 'polling' ? 'polling' : '…'}
        </span>
      </div>
      {status.message && <p class="message">{status.message}</p>}
      <div class="cards">
        <div class="card">
          <h2>Trials</h2>
          <dl class="counts">
            <dt>total</dt><dd>{status.trials}</dd>
            <dt>succeeded</dt><dd class="good">{status.trialsSucceeded}</dd>
            <dt>running</dt><dd>{status.trialsRunning + status.trialsPending}</dd>
            <dt>failed</dt><dd class={status.trialsFailed > 0 ? 'bad' : ''}>{status.trialsFailed}</dd>
            {status.trialsKilled > 0 && <><dt>killed</dt><dd>{status.trialsKilled}</dd></>}
            {status.trialsEarlyStopped > 0 && <><dt>early stopped</dt><dd>{status.trialsEarlyStopped}</dd></>}
            {status.trialMetricsUnavailable > 0 && <><dt>no metrics</dt><dd>{status.trialMetricsUnavailable}</dd></>}
          </dl>
          <p class="muted small">created {formatAge(metadata.creationTimestamp)}{status.completionTime ? `, completed ${formatTime(status.completionTime)}` : ''}</p>
        </div>
        {props.frontCard ?? <div class="card best-card" data-testid="best-trial">
          <h2>Best trial</h2>
          {best.bestTrialName ? (
            <>
              <p>
                <Link href={paths.trial(metadata.name, best.bestTrialName)} class="strong">{best.bestTrialName}</Link>
                {bestText === undefined && <span class="best-value"> {props.info.objective.metric} = {formatNumber(bestValue)}</span>}
              </p>
              {/* A multi-fidelity experiment's best comes with its budget (best-budget.tsx). */}
              {props.budget}
              {bestText !== undefined && (
                <div class="best-text"><span class="muted small">{props.info.objective.metric}</span><pre class="code wrap" data-testid="best-text-objective">{bestText}</pre></div>
              )}
              {props.info.nas && <ArchitectureView params={Object.fromEntries(best.parameterAssignments.map((a) => [a.name, a.value]))} />}
              <table class="kv">
                <tbody>
                  {best.parameterAssignments.filter((a) => !(props.info.nas && NAS_ASSIGNMENTS.has(a.name))).map((a) => <tr><th scope="row">{a.name}</th><td class="num" title={a.value}>{formatAssignmentOf(props.info, a.name, a.value)}</td></tr>)}
                </tbody>
              </table>
            </>
          ) : <p class="muted">No trial has reported {props.info.objective.metric} yet.</p>}
        </div>}
        <div class="card">
          <h2>Conditions</h2>
          <ul class="conditions">
            {status.conditions.map((c) => (
              <li title={c.message}>
                <span class={c.status === 'True' ? 'cond-true' : 'cond-false'}>{c.status === 'True' ? '●' : '○'}</span> {c.type}
                <span class="muted small"> {c.reason}{c.lastTransitionTime ? `, ${formatAge(c.lastTransitionTime)}` : ''}</span>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  )
}
