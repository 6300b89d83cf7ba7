import type { MetricPoint } from '../../core/metric.ts'
import { metricNames } from '../../core/spec/index.ts'
import type { Store } from '../../db/store.ts'
import { invalidField } from '../http-error.ts'
import type { EarlyStoppingRule } from './early-stopping.ts'
import { findWorkerTrial } from './find-worker-trial.ts'
import type { ShouldStop } from './heartbeat-trial.ts'
import { toNumber, type ReportedValue } from './reported-value.ts'
import { stopReason } from './stop-reason.ts'
import type { WorkerBatches } from './worker-batches.ts'

export interface PushInput {
  readonly points: readonly { readonly metric: string; readonly step: number; readonly value: ReportedValue }[]
  readonly attempt?: number
}

/**
 * Intermediate values of a Running ask/tell trial (POST .../trials/{trial}/observations). Idempotent on
 * (metric, step): a resent batch overwrites its own points and adds none. It counts as a
 * heartbeat. A trial that is no longer this worker's stores nothing and answers shouldStop; so
 * does one an early-stopping rule stops.
 */
export async function pushObservations(
  store: Store,
  batches: WorkerBatches,
  experimentName: string,
  trialName: string,
  input: PushInput,
  earlyStopping?: EarlyStoppingRule,
): Promise<ShouldStop & { readonly accepted: number }> {
  const { experiment, trial } = await findWorkerTrial(batches, experimentName, trialName)
  const known = metricNames(experiment.spec)
  input.points.forEach((p, i) => {
    if (!known.includes(p.metric)) throw invalidField(`/body/points/${i}/metric`, `"${p.metric}" is not a metric of this experiment; its metrics are ${known.join(', ')}`)
  })
  const restarts = input.attempt === undefined ? undefined : input.attempt - 1
  if (!(await store.trials.heartbeat(trial.id, restarts))) {
    const now = (await store.trials.get(trial.id)) ?? trial
    return { accepted: 0, shouldStop: true, reason: stopReason(now, restarts) ?? 'the trial is no longer held by this worker' }
  }
  const at = new Date()
  const points: MetricPoint[] = input.points.map((p) => ({ name: p.metric, step: p.step, value: toNumber(p.value), at }))
  await store.observations.append(trial.id, points)
  const decision = await earlyStopping?.({ experiment, trial, points })
  return decision ? { accepted: points.length, shouldStop: true, reason: decision.reason } : { accepted: points.length, shouldStop: false }
}
