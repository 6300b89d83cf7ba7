import { Link } from './link.tsx'
import { paths } from './router.ts'
import type { TrialRow } from './trial-row.ts'

/** The trials that count as failed towards maxFailedTrialCount. */
const FAILED = new Set(['Failed', 'MetricsUnavailable'])

export interface FailureReason {
  /** The failure's headline, the same for every trial it names (their own log paths left out). */
  readonly reason: string
  /** How many failed trials failed so, and how many failed in all. */
  readonly count: number
  readonly failed: number
  /** The earliest trial that failed so, and the last lines its program printed (empty when none were kept). */
  readonly example: TrialRow
  readonly lastLines: string
}

/**
 * Why most failed trials failed: their messages grouped by headline (the first line; a local
 * trial's names its own log file, left out so that the same failure groups), the commonest
 * first, ties to the group whose first trial came earlier. The message's further lines are the
 * last lines the program printed (controller/local-process-executor.ts), usually the error itself.
 */
export function commonFailure(trials: readonly TrialRow[]): FailureReason | undefined {
  const failed = trials.filter((t) => FAILED.has(t.state))
  const groups = new Map<string, TrialRow[]>()
  for (const t of failed) {
    const reason = headline(t)
    const group = groups.get(reason)
    if (group) group.push(t)
    else groups.set(reason, [t])
  }
  let best: [string, TrialRow[]] | undefined
  for (const entry of groups) {
    if (!best || entry[1].length > best[1].length || (entry[1].length === best[1].length && entry[1][0]!.number < best[1][0]!.number)) best = entry
  }
  if (!best) return undefined
  const example = best[1].reduce((a, b) => (b.number < a.number ? b : a))
  const message = example.message ?? ''
  const cut = message.indexOf('\n')
  return { reason: best[0], count: best[1].length, failed: failed.length, example, lastLines: cut === -1 ? '' : message.slice(cut + 1) }
}

function headline(trial: TrialRow): string {
  const message = trial.message ?? trial.state
  const first = message.split('\n', 1)[0]!
  return first.replace(/; see its log \S+/, '').split(trial.name).join('<trial>').trim() || trial.state
}

/** On a failed experiment's page: the common failure reason and an example trial's last output lines. */
export function FailureSummary(props: { experiment: string; trials: readonly TrialRow[] }) {
  const failure = commonFailure(props.trials)
  if (!failure) return null
  return (
    <section class="panel failure-summary" data-testid="failure-summary">
      <h2>Why it failed</h2>
      <p>
        <strong>{failure.count === failure.failed ? `All ${failure.failed}` : `${failure.count} of ${failure.failed}`}</strong> failed trial{failure.failed === 1 ? '' : 's'}:{' '}
        <span data-testid="failure-reason">{failure.reason}</span>
      </p>
      <p class="small">
        {failure.lastLines ? 'The last lines of ' : 'For example '}
        <Link href={paths.trial(props.experiment, failure.example.name)}>trial {failure.example.number}</Link>
        {failure.lastLines ? ':' : ' (it printed nothing).'}
      </p>
      {failure.lastLines && <pre class="code" data-testid="failure-output" aria-label="Last lines of an example failed trial's output">{failure.lastLines}</pre>}
    </section>
  )
}
