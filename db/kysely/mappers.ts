import type { TunewellEvent } from '../../core/events.ts'
import type { MetricPoint } from '../../core/metric.ts'
import type { EventRow, ExperimentRow, ExperimentUpdate, ObservationRow, TrialRow, TrialUpdate } from '../schema.ts'
import type { ExperimentEvent, ExperimentPatch, ExperimentRecord, TrialPatch, TrialRecord } from '../store.ts'

// int8 columns arrive as strings from a pg pool without our type parser (see open-store.ts);
// Number() keeps a hand-built KyselyStore consistent too.
const int8 = (value: number | string): number => Number(value)

/** jsonb parameter for a NOT NULL column; `undefined` is stored as JSON null. */
export const toJsonb = (value: unknown): string => JSON.stringify(value ?? null)

/** jsonb parameter for a nullable column; null/undefined become SQL NULL. */
export const toNullableJsonb = (value: unknown): string | null => (value == null ? null : JSON.stringify(value))

export function experimentRowToRecord(row: ExperimentRow): ExperimentRecord {
  return {
    id: row.id,
    name: row.name,
    spec: row.spec,
    state: row.state,
    reason: row.reason,
    message: row.message,
    seed: int8(row.seed),
    bestTrialId: row.best_trial_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  }
}

export function trialRowToRecord(row: TrialRow): TrialRecord {
  return {
    id: row.id,
    experimentId: row.experiment_id,
    number: row.number,
    name: row.name,
    state: row.state,
    params: row.params,
    objective: row.objective,
    metrics: row.metrics,
    ...(row.text_metrics ? { textMetrics: row.text_metrics } : {}),
    reason: row.reason,
    message: row.message,
    execution: row.execution,
    restarts: row.restarts,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    idempotencyKey: row.idempotency_key,
    heartbeatAt: row.heartbeat_at,
    worker: row.worker,
    parentTrialName: row.parent_trial_name,
    generation: row.generation,
  }
}

export function observationRowToPoint(row: Pick<ObservationRow, 'metric_name' | 'step' | 'value' | 'recorded_at'> & { text_value?: string | null }): MetricPoint {
  const point = { name: row.metric_name, step: row.step, value: row.value, at: row.recorded_at }
  return row.text_value === null || row.text_value === undefined ? point : { ...point, text: row.text_value }
}

export function eventRowToEvent(row: EventRow): ExperimentEvent {
  // Only EventStore.append (typed by core/events.ts) and the ask/tell claim in SQL (its two
  // trial events) write this table, so a row's type and payload are one of TunewellEvent's.
  const event = { type: row.type, payload: row.payload } as TunewellEvent
  return {
    id: int8(row.id),
    experimentId: row.experiment_id,
    trialId: row.trial_id,
    ...event,
    at: row.at,
  }
}

/** Only the keys the patch sets; `undefined` means "leave as is", null clears. */
export function experimentPatchToUpdate(patch: ExperimentPatch): ExperimentUpdate {
  const update: ExperimentUpdate = {}
  if (patch.state !== undefined) update.state = patch.state
  if (patch.reason !== undefined) update.reason = patch.reason
  if (patch.message !== undefined) update.message = patch.message
  if (patch.bestTrialId !== undefined) update.best_trial_id = patch.bestTrialId
  if (patch.spec !== undefined) update.spec = toJsonb(patch.spec)
  if (patch.startedAt !== undefined) update.started_at = patch.startedAt
  if (patch.completedAt !== undefined) update.completed_at = patch.completedAt
  return update
}

export function trialPatchToUpdate(patch: TrialPatch): TrialUpdate {
  const update: TrialUpdate = {}
  if (patch.objective !== undefined) update.objective = patch.objective
  if (patch.metrics !== undefined) update.metrics = toNullableJsonb(patch.metrics)
  if (patch.textMetrics !== undefined) update.text_metrics = toNullableJsonb(patch.textMetrics)
  if (patch.reason !== undefined) update.reason = patch.reason
  if (patch.message !== undefined) update.message = patch.message
  if (patch.execution !== undefined) update.execution = toNullableJsonb(patch.execution)
  if (patch.restarts !== undefined) update.restarts = patch.restarts
  if (patch.startedAt !== undefined) update.started_at = patch.startedAt
  if (patch.finishedAt !== undefined) update.finished_at = patch.finishedAt
  return update
}
