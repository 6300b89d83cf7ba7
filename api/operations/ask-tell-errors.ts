import type { ExperimentRecord, TrialRecord } from '../../db/store.ts'
import { HttpError } from '../http-error.ts'

/** Refusals of the ask/tell routes (docs/api.md, "Ask/tell"). */

export function notAskTell(experiment: ExperimentRecord): HttpError {
  return new HttpError(409, 'NOT_ASK_TELL', `experiment "${experiment.name}" has a trialTemplate, so this server runs its trials; ` +
    'ask/tell serves only experiments submitted without spec.trialTemplate')
}

export function experimentCompleted(experiment: ExperimentRecord): HttpError {
  return new HttpError(409, 'EXPERIMENT_COMPLETED', `experiment "${experiment.name}" is completed (${experiment.state}, ` +
    `${experiment.reason ?? 'no reason'}): there are no more trials to run`)
}

/** Nothing to hand out now, but there may be soon: Retry-After says when to ask again. */
export function noTrialAvailable(message: string, retryAfterSeconds: number): HttpError {
  return new HttpError(409, 'NO_TRIAL_AVAILABLE', message, undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) })
}

export function trialFinished(trial: TrialRecord): HttpError {
  return new HttpError(409, 'TRIAL_FINISHED', `trial "${trial.name}" is no longer running (${trial.state}${trial.reason ? `, ${trial.reason}` : ''}); ` +
    'its result cannot change')
}

export function trialReoffered(trial: TrialRecord, attempt: number): HttpError {
  return new HttpError(409, 'TRIAL_REOFFERED', `trial "${trial.name}" went without a heartbeat for too long and was handed to another ` +
    `worker (attempt ${trial.restarts + 1}); attempt ${attempt} may no longer report it`)
}
