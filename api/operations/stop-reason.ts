import type { TrialRecord } from '../../db/store.ts'

/**
 * Why the worker holding `restarts` of this trial should stop, or undefined if it should go
 * on: the trial ended without it (killed, the experiment stopped or completed) or went stale
 * and was handed to another worker.
 */
export function stopReason(trial: TrialRecord, restarts: number | undefined): string | undefined {
  if (trial.state !== 'Running') {
    return `the trial is ${trial.state}${trial.reason ? ` (${trial.reason}${trial.message ? `: ${trial.message}` : ''})` : ''}`
  }
  if (restarts !== undefined && restarts !== trial.restarts) {
    return `the trial went without a heartbeat for too long and was handed to another worker (attempt ${trial.restarts + 1})`
  }
  return undefined
}
