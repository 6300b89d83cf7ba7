import type { MetricSummary } from '../core/trial.ts'
import type { Store, TrialRecord } from '../db/store.ts'
import { trialFinishedEvent } from './trial-finished-event.ts'
import type { TrialOutcome } from './trial-outcome.ts'

/**
 * A Running trial's end: its outcome (state, reason, message, objective), the summary of its
 * metrics and its event, in one transaction. Compare-and-set on Running; a trial killed from
 * outside while it ran stays Killed (that decision stands) but keeps what it observed, as Katib
 * keeps a killed trial's observation. `texts`: the metrics reported only as text, each with its
 * latest (TrialRecord.textMetrics). Resolves whether the outcome was applied.
 */
export function finishTrial(
  store: Store,
  trial: Pick<TrialRecord, 'id' | 'experimentId'>,
  outcome: TrialOutcome,
  summary?: Readonly<Record<string, MetricSummary>>,
  texts?: Readonly<Record<string, string>>,
): Promise<boolean> {
  const metrics = summary
    ? Object.fromEntries(Object.entries(summary).map(([k, s]) => [k, { min: s.min, max: s.max, latest: s.latest }]))
    : null
  const textMetrics = texts && Object.keys(texts).length > 0 ? { textMetrics: texts } : {}
  return store.transaction(async (tx) => {
    const changed = await tx.trials.transition(trial.id, ['Running'], outcome.state, {
      objective: outcome.objective, metrics, ...textMetrics, reason: outcome.reason, message: outcome.message, finishedAt: new Date(),
    })
    if (changed) {
      await tx.events.append({ experimentId: trial.experimentId, trialId: trial.id, ...trialFinishedEvent(outcome) })
    } else if (metrics) {
      await tx.trials.transition(trial.id, ['Killed'], 'Killed', { objective: outcome.objective, metrics, ...textMetrics })
    }
    return changed
  })
}
