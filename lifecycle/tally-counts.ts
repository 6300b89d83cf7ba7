import type { TrialState } from '../core/trial.ts'
import type { TrialTally } from '../db/store.ts'

/**
 * A tally (one query, whatever the history) as the counts planExperiment reads. The plan only
 * sums them (active, failed, completed), so trials that ended without failing are all counted
 * as Succeeded here: the tally does not split them.
 */
export function tallyCounts(t: TrialTally): Record<TrialState, number> {
  const ended = t.total - t.Pending - t.Running - t.Failed - t.MetricsUnavailable
  return { Pending: t.Pending, Running: t.Running, Failed: t.Failed, MetricsUnavailable: t.MetricsUnavailable, Succeeded: ended, Killed: 0, EarlyStopped: 0 }
}
