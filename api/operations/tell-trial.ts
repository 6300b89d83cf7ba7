import type { MetricPoint } from '../../core/metric.ts'
import { objectivesOf } from '../../core/multiobjective/objectives.ts'
import { metricNames, strategyFor } from '../../core/spec/index.ts'
import type { FinishedAttempt, PointsSummary, Store, TrialRecord } from '../../db/store.ts'
import { improves } from '../../lifecycle/best-trial.ts'
import { completeIfDone } from '../../lifecycle/complete-if-done.ts'
import { mayComplete } from '../../lifecycle/may-complete.ts'
import { offerBestTrial } from '../../lifecycle/offer-best-trial.ts'
import { trialFinishedEvent } from '../../lifecycle/trial-finished-event.ts'
import { ASK_TELL_COLLECTOR, decideTrialOutcome } from '../../lifecycle/trial-outcome.ts'
import type { MetricSummaryWithCount } from '../../metrics-collector/objective.ts'
import { invalidField } from '../http-error.ts'
import { trialFinished, trialReoffered } from './ask-tell-errors.ts'
import type { BestObjectiveCache } from './best-objective-cache.ts'
import { findWorkerTrial } from './find-worker-trial.ts'
import { toNumber, type ReportedValue } from './reported-value.ts'
import type { WorkerBatches } from './worker-batches.ts'

export interface TellInput {
  readonly state?: 'Succeeded' | 'Failed'
  /** The objective metric's final value. */
  readonly value?: ReportedValue
  /** Final values by metric name, or every objective's in objective order (several objectives). */
  readonly values?: Readonly<Record<string, ReportedValue>> | readonly ReportedValue[]
  readonly message?: string
  /** The attempt the ask answered with; absent = whoever holds the trial now. */
  readonly attempt?: number
}

/**
 * A worker's result (POST .../trials/{trial}:tell), decided as the controller decides a local
 * trial's (lifecycle/trial-outcome.ts): the told values become the last point of each metric,
 * the told objective value is the trial's objective (without one, the objective metric's strategy
 * over its reported points), and without a finite objective a Succeeded tell ends MetricsUnavailable. Then the best trial and the experiment's
 * completion are updated by the lifecycle rules local trials follow too. Two statements unless
 * the value may be a new best, whatever the history: the trial with its points summarised per metric in SQL,
 * the finish (state, final points and event in one statement), each shared with other tells
 * under load (WorkerBatches); a third, the completion counts, only when the experiment may
 * complete (mayComplete).
 */
export async function tellTrial(
  store: Store,
  batches: WorkerBatches,
  bestObjectives: BestObjectiveCache,
  experimentName: string,
  trialName: string,
  input: TellInput,
): Promise<TrialRecord> {
  const state = input.state ?? 'Succeeded'
  if (input.value !== undefined && input.values !== undefined) throw invalidField('/body/values', 'give either value (the objective metric) or values, not both')
  if (state === 'Succeeded' && input.value === undefined && input.values === undefined) {
    throw invalidField('/body/value', 'a Succeeded tell needs value (the objective metric\'s final value) or values (by metric)')
  }
  const { experiment, trial, points: pushed, progress } = await findWorkerTrial(batches, experimentName, trialName, { points: true })
  const spec = experiment.spec
  const metric = spec.spec.objective.objectiveMetricName
  const objectives = objectivesOf(spec.spec.objective)
  const told: Record<string, ReportedValue> = isValueList(input.values) ? byObjective(input.values, objectives.map((o) => o.metric))
    : input.values ? { ...input.values } : input.value !== undefined ? { [metric]: input.value } : {}
  const known = metricNames(spec)
  for (const name of Object.keys(told)) {
    if (!known.includes(name)) throw invalidField(`/body/values/${name}`, `"${name}" is not a metric of this experiment; its metrics are ${known.join(', ')}`)
  }
  if (state === 'Succeeded' && objectives.length >= 2) {
    const missing = objectives.filter((o) => told[o.metric] === undefined && pushed[o.metric] === undefined).map((o) => o.metric)
    if (missing.length > 0) {
      throw invalidField('/body/values', `objective${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} ${missing.length > 1 ? 'have' : 'has'} no value; a Succeeded tell of this experiment gives every objective (${objectives.map((o) => o.metric).join(', ')}), by name or as an array in that order`)
    }
  }
  const restarts = input.attempt === undefined ? undefined : input.attempt - 1
  if (trial.state !== 'Running') throw trialFinished(trial)
  if (restarts !== undefined && restarts !== trial.restarts) throw trialReoffered(trial, input.attempt!)

  const finalPoints = finalPointsOf(told, pushed)
  const summary = summaryWith(pushed, finalPoints)
  const reported = new Set([...Object.keys(pushed), ...finalPoints.map((p) => p.name)])
  const decided = decideTrialOutcome(
    state === 'Succeeded' ? { phase: 'succeeded' } : { phase: 'failed', reason: 'WorkerFailed', message: input.message ?? 'the worker reported a failure' },
    summary,
    { metric, strategy: strategyFor(spec, metric), collector: ASK_TELL_COLLECTOR },
    { garbageCount: 0, nonFiniteOnly: [...reported].filter((name) => summary[name] === undefined) },
  )
  // The told value is the trial's objective (Optuna's study.tell): an intermediate report that
  // beats it still feeds the curves and early stopping, but does not become the result.
  const toldObjective = told[metric] === undefined ? undefined : toNumber(told[metric]!)
  const outcome = decided.state === 'Succeeded' && toldObjective !== undefined && Number.isFinite(toldObjective) ? { ...decided, objective: toldObjective } : decided
  const direction = spec.spec.objective.type
  // The best only improves, so a value that does not beat the best read now cannot beat the
  // real one: only a likely new best pays for the experiment lock (and a transaction).
  const current = await bestObjectives.get(store, experiment.bestTrialId)
  // A tie may be a new best too: the earlier trial of a tie is the best (offerBestTrial).
  const maybeBest = outcome.state === 'Succeeded' && outcome.objective !== null && (improves(direction, outcome.objective, current) || outcome.objective === current)

  const attempt: FinishedAttempt = {
    id: trial.id, ...(restarts !== undefined ? { restarts } : {}), state: outcome.state, objective: outcome.objective,
    metrics: Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, { min: v.min, max: v.max, latest: v.latest }])),
    reason: outcome.reason, message: outcome.state === 'Succeeded' && input.message !== undefined ? input.message : outcome.message,
    finishedAt: new Date(), points: finalPoints,
    event: trialFinishedEvent(outcome),
  }
  // Batched with other tells' unless it runs in the new best's transaction.
  const finish = async (s?: Store): Promise<TrialRecord> => {
    const finished = s ? (await s.trials.finishAttempts([attempt]))[0] : await batches.finish(attempt)
    if (finished) return finished
    s ??= store
    const now = (await s.trials.get(trial.id)) ?? trial
    throw now.state === 'Running' ? trialReoffered(now, input.attempt ?? 0) : trialFinished(now)
  }
  const { finished, best } = maybeBest
    ? await store.transaction(async (tx) => {
      // Experiment before trial, the order stop and completion lock in.
      await tx.experiments.lock(experiment.id)
      const finished = await finish(tx)
      return { finished, best: await offerBestTrial(tx, experiment.id, trial.id, outcome.objective!) }
    })
    : { finished: await finish(), best: false }
  if (best) bestObjectives.set(trial.id, outcome.objective!)
  const bestNow = best ? outcome.objective! : current
  // Most tells cannot complete their experiment; they skip the counts (a round trip) then.
  if (!progress || mayComplete(spec, progress, bestNow)) {
    await completeIfDone(store, best ? { ...experiment, bestTrialId: trial.id } : experiment, bestNow)
  }
  return finished
}

/** Each told value one step after the metric's last stored point, so it is the metric's latest. */
function finalPointsOf(told: Readonly<Record<string, ReportedValue>>, pushed: Readonly<Record<string, PointsSummary>>): MetricPoint[] {
  const at = new Date()
  return Object.entries(told).map(([name, value]) => ({ name, step: (pushed[name]?.lastStep ?? -1) + 1, value: toNumber(value), at }))
}

/**
 * summarize() over the stored points and the final ones, from the stored points' summary: a
 * final point is its metric's latest, and counts only when finite. Keys in summarize()'s order
 * (first finite point: stored metrics by name, then the told ones).
 */
function summaryWith(pushed: Readonly<Record<string, PointsSummary>>, finalPoints: readonly MetricPoint[]): Record<string, MetricSummaryWithCount> {
  const summary = new Map<string, MetricSummaryWithCount>()
  for (const [name, p] of Object.entries(pushed)) if (p.finite) summary.set(name, p.finite)
  for (const { name, value } of finalPoints) {
    if (!Number.isFinite(value)) continue
    const s = summary.get(name)
    summary.set(name, s
      ? { min: Math.min(s.min, value), max: Math.max(s.max, value), latest: value, count: s.count + 1 }
      : { min: value, max: value, latest: value, count: 1 })
  }
  return Object.fromEntries(summary)
}

function isValueList(values: TellInput['values']): values is readonly ReportedValue[] {
  return Array.isArray(values)
}

/** An array tell of a multi-objective experiment: one value per objective, in objective order. */
function byObjective(values: readonly ReportedValue[], metrics: readonly string[]): Record<string, ReportedValue> {
  if (values.length !== metrics.length) {
    throw invalidField('/body/values', `values has ${values.length} number${values.length === 1 ? '' : 's'}, and this experiment has ${metrics.length} objective${metrics.length === 1 ? '' : 's'} (${metrics.join(', ')}); give one value per objective in that order, or values by metric name`)
  }
  return Object.fromEntries(metrics.map((m, i) => [m, values[i]!]))
}
