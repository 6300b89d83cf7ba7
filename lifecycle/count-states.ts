import type { TrialState } from '../core/trial.ts'
import type { TrialRecord } from '../db/store.ts'

/** Trials per state, every state present (zeros included). */
export function countStates(trials: readonly Pick<TrialRecord, 'state'>[]): Record<TrialState, number> {
  const counts: Record<TrialState, number> = {
    Pending: 0, Running: 0, Succeeded: 0, Failed: 0, Killed: 0, EarlyStopped: 0, MetricsUnavailable: 0,
  }
  for (const t of trials) counts[t.state]++
  return counts
}
