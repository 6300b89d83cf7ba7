import type { TrialAttemptFailure } from '../core/events.ts'
import type { Store, TrialRecord } from '../db/store.ts'

/**
 * A Running trial's attempt failed and the trial runs again (its Job's backoffLimit allows it):
 * not a state change, so the trial stays Running, its message saying which attempt failed and
 * when the next starts. The failed attempt's points are dropped, since the next attempt reports
 * from its first step again and the trial's result is that of the attempt that ends it. One
 * transaction with its `trial:attempt-failed` event; compare-and-set on Running: a trial killed
 * or finished meanwhile keeps what it has, and false is returned.
 */
export function recordFailedAttempt(store: Store, trial: Pick<TrialRecord, 'id' | 'experimentId'>, failure: TrialAttemptFailure): Promise<boolean> {
  return store.transaction(async (tx) => {
    const running = await tx.trials.transition(trial.id, ['Running'], 'Running', { message: attemptMessage(failure) })
    if (!running) return false
    await tx.observations.deleteForTrial(trial.id)
    await tx.events.append({ experimentId: trial.experimentId, trialId: trial.id, type: 'trial:attempt-failed', payload: failure })
    return true
  })
}

/** A Running trial's message while it waits to run again: the failure's first line, without the output it printed. */
export function attemptMessage(failure: TrialAttemptFailure): string {
  const headline = failure.message.split('\n', 1)[0]
  const wait = failure.retryInMs < 1000 ? `${failure.retryInMs} ms` : `${Math.round(failure.retryInMs / 100) / 10} s`
  return `attempt ${failure.attempt} of ${failure.attempts} failed (${failure.reason}): ${headline}; attempt ${failure.attempt + 1} starts after ${wait}`
}
