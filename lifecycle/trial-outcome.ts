import type { MetricStrategy } from '../core/metric.ts'
import type { TrialState } from '../core/trial.ts'
import { closestMatch } from '../core/spec/closest-match.ts'

export interface CollectionDiagnostics {
  /** Lines that named a metric but held no number (e.g. `loss=abc`). */
  readonly garbageCount: number
  readonly garbageExample?: string
  /** Metrics that were reported only as NaN or ±Infinity. */
  readonly nonFiniteOnly: readonly string[]
  /** What the collector found wrong besides (an endpoint that never answered, a collector process that failed). */
  readonly notes?: readonly string[]
  /** Names the trial printed values for that no metric of the experiment asked for (`acc` where `accuracy` is asked for). */
  readonly otherNames?: readonly string[]
  /**
   * The objective printed in a form the collector does not read: the first such line
   * (`accuracy: 0.91`) and the form it reads (`accuracy=0.42`).
   */
  readonly nearMiss?: { readonly line: string; readonly expected: string }
}

export interface TrialOutcome {
  readonly state: Extract<TrialState, 'Succeeded' | 'Failed' | 'MetricsUnavailable' | 'Killed' | 'EarlyStopped'>
  readonly reason: string
  readonly message: string
  readonly objective: number | null
}

/**
 * How a trial's run ended, as its executor (controller/trial-executor.ts ExitResult) or its
 * worker's tell says: a failure carries the reason and message its trial fails with, or
 * `ExperimentCompleted` when the controller stopped it because the experiment completed.
 */
export type TrialExit =
  | { readonly phase: 'succeeded' }
  | { readonly phase: 'failed'; readonly reason: string; readonly message: string }

/** The collector kind of trials run by outside workers (ask/tell): their values come with the tell. */
export const ASK_TELL_COLLECTOR = 'AskTell'

type Summary = Readonly<Record<string, { readonly min: number; readonly max: number; readonly latest: number }>>

/**
 * Katib's trial decision: a successful run with the objective metric is Succeeded, without it
 * MetricsUnavailable; a failed run is Failed. Unlike Katib, the message explains *why* metrics
 * are missing, so a user can fix the program or the collector instead of guessing.
 *
 * `texts` are the metrics reported only as text (ObservationStore.textSummaries). An objective
 * among them counts as reported where `objective.text` allows it (darts: the genotype; its
 * numeric `objective` stays null); elsewhere it is missing, and the message says it was text.
 */
export function decideTrialOutcome(
  exit: TrialExit,
  summary: Summary,
  objective: {
    readonly metric: string
    readonly strategy: MetricStrategy
    readonly collector: string
    readonly text?: boolean
    /**
     * The further objectives' metrics of a multi-objective experiment: each is an objective too,
     * so a run that never reported one is MetricsUnavailable, not a Succeeded trial without values
     * that no front can hold.
     */
    readonly further?: readonly string[]
  },
  diagnostics: CollectionDiagnostics,
  texts: Readonly<Record<string, string>> = {},
): TrialOutcome {
  const found = summary[objective.metric]
  const value = found ? pick(found, objective.strategy) : null
  if (exit.phase === 'failed') {
    if (exit.reason === 'ExperimentCompleted') {
      return { state: 'Killed', reason: 'TrialKilled', message: 'stopped because the experiment completed', objective: value }
    }
    return { state: 'Failed', reason: 'TrialFailed', message: `Job reason: ${exit.reason}. ${exit.message}`, objective: value }
  }
  if (value !== null) {
    const missing = (objective.further ?? []).find((name) => !summary[name])
    if (missing === undefined) return { state: 'Succeeded', reason: 'TrialSucceeded', message: 'trial succeeded', objective: value }
    // The near miss the collector saw concerns the first objective only.
    const { nearMiss: _first, ...rest } = diagnostics
    return {
      state: 'MetricsUnavailable',
      reason: 'MetricsUnavailable',
      message: missingMetricMessage({ metric: missing, collector: objective.collector }, rest, Object.keys(summary)),
      objective: value,
    }
  }
  const text = Object.hasOwn(texts, objective.metric) ? texts[objective.metric] : undefined
  if (text !== undefined && objective.text === true) return { state: 'Succeeded', reason: 'TrialSucceeded', message: 'trial succeeded', objective: null }
  return {
    state: 'MetricsUnavailable',
    reason: 'MetricsUnavailable',
    message: text !== undefined
      ? `objective metric "${objective.metric}" was reported only as text (latest ${JSON.stringify(shorten(text))}), and this algorithm needs a number; print it as a number, or fix the metrics filter so that its second group captures one`
      : missingMetricMessage(objective, diagnostics, Object.keys(summary)),
    objective: null,
  }
}

/**
 * Why the objective is missing, with what the trial did report, so that a typo (`acc` for
 * `accuracy`) or a format slip (`accuracy: 0.91` where `accuracy=0.91` is read) shows at once.
 * `reported`: the metrics stored for the trial (additional metrics, pushed values).
 */
function missingMetricMessage(
  objective: { readonly metric: string; readonly collector: string },
  d: CollectionDiagnostics,
  reported: readonly string[],
): string {
  if (d.nonFiniteOnly.includes(objective.metric)) {
    return `objective metric "${objective.metric}" was reported only as NaN or Infinity; the trial diverged`
  }
  const parts = [`objective metric "${objective.metric}" was never reported`]
  if (d.nearMiss) {
    parts.push(`the trial printed it as ${JSON.stringify(d.nearMiss.line)}, but the ${objective.collector} collector reads ${d.nearMiss.expected.includes(' ') ? d.nearMiss.expected : JSON.stringify(d.nearMiss.expected)}`)
  }
  if (d.garbageCount > 0 && d.garbageExample !== d.nearMiss?.line) {
    parts.push(`${d.garbageCount} line(s) mentioned a metric without a number, e.g. ${JSON.stringify(d.garbageExample ?? '')}`)
  }
  const printed = [...new Set([...reported, ...(d.otherNames ?? [])])].filter((name) => name !== objective.metric)
  if (printed.length > 0) {
    const guess = closestMatch(objective.metric, printed) ?? printed.find((name) => isAbbreviation(name, objective.metric))
    // A worker's tell and a push report their values; everything else was printed or written.
    const verb = objective.collector === 'Push' || objective.collector === ASK_TELL_COLLECTOR ? 'reported' : 'printed'
    parts.push(`the trial ${verb}: ${printed.join(', ')}${guess !== undefined ? ` (did you mean "${guess}"?)` : ''}`)
  }
  parts.push(...(d.notes ?? []))
  if (objective.collector === 'StdOut' && !d.nearMiss) parts.push(`the StdOut collector reads lines like "${objective.metric}=0.42"`)
  if (objective.collector === 'Push') parts.push('the trial must call reportMetrics() (TUNEWELL_REPORT_URL)')
  if (objective.collector === ASK_TELL_COLLECTOR) parts.push(`tell it as "value" or as "values": { "${objective.metric}": ... }`)
  return parts.join('; ')
}

/** `acc` for `accuracy`, `val_acc` for `val_accuracy`: a printed name that the objective's name starts with. */
function isAbbreviation(name: string, metric: string): boolean {
  return name.length >= 3 && metric.toLowerCase().startsWith(name.toLowerCase())
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}

function pick(s: { min: number; max: number; latest: number }, strategy: MetricStrategy): number {
  return strategy === 'min' ? s.min : strategy === 'max' ? s.max : s.latest
}
