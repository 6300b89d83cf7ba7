import type { TrialRecord } from '../db/store.ts'

/** Failed trials whose output the summary shows; the rest are counted. */
const SHOWN_TRIALS = 3
/** Of each, the last lines of its output (the stored message keeps up to 80: controller/last-lines.ts). */
const SHOWN_LINES = 10

type Trial = Pick<TrialRecord, 'name' | 'number' | 'state' | 'message'>

/**
 * When no trial has a result (none Succeeded or EarlyStopped) and some failed: the line `run`
 * says loudly before it exits 1, whatever state Katib's rules give the experiment (without
 * maxFailedTrialCount a Katib experiment whose every trial failed still Succeeds once
 * maxTrialCount trials ended). Undefined otherwise.
 */
export function everyTrialFailed(trials: readonly Trial[]): string | undefined {
  if (trials.some((t) => t.state === 'Succeeded' || t.state === 'EarlyStopped')) return undefined
  const failed = trials.filter((t) => t.state === 'Failed').length
  const noMetrics = trials.filter((t) => t.state === 'MetricsUnavailable').length
  if (failed + noMetrics === 0) return undefined
  const parts = [failed > 0 ? `${failed} failed` : '', noMetrics > 0 ? `${noMetrics} reported no objective metric` : ''].filter(Boolean)
  return `no trial succeeded (${parts.join(', ')} of ${trials.length}): the experiment has no result`
}

/**
 * The failed trials' messages for the run's summary, the latest first: each one's first line,
 * then the last lines its program printed (kept in the message by the executor), indented.
 */
export function formatTrialFailures(trials: readonly Trial[]): string {
  const failed = trials.filter((t) => t.state === 'Failed' || t.state === 'MetricsUnavailable').sort((a, b) => b.number - a.number)
  if (failed.length === 0) return ''
  const lines: string[] = []
  for (const trial of failed.slice(0, SHOWN_TRIALS)) {
    const [headline = '', ...output] = (trial.message ?? '').split('\n')
    lines.push(`${trial.name} ${trial.state}: ${headline}`)
    if (output.length > SHOWN_LINES) lines.push(`    … ${output.length - SHOWN_LINES} lines before`)
    for (const line of output.slice(-SHOWN_LINES)) lines.push(`    | ${line}`)
  }
  const more = failed.length - SHOWN_TRIALS
  if (more > 0) lines.push(`… and ${more} more failed trial(s); each one's whole output is in its log`)
  return lines.join('\n')
}
