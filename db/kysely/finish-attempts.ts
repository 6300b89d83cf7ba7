import { sql, type Kysely } from 'kysely'
import type { Database, TrialRow } from '../schema.ts'
import type { FinishedAttempt, TrialRecord } from '../store.ts'
import { toNullableJsonb, trialRowToRecord } from './mappers.ts'
import { ON_POINT_CONFLICT, pointColumns } from './point-columns.ts'
import { PREPARED } from './prepared.ts'

/**
 * TrialStore.finishAttempts as one statement with data-modifying CTEs: the points and events are
 * inserted from the update's RETURNING, so they exist exactly for the attempts that finished,
 * atomically without a transaction. Every value travels as an array parameter, one entry per
 * attempt (or per point), so the statement has one text whatever the batch and stays prepared.
 */
export async function finishAttempts(db: Kysely<Database>, attempts: readonly FinishedAttempt[]): Promise<(TrialRecord | undefined)[]> {
  if (attempts.length === 0) return []
  const owners: number[] = []
  const names: string[] = []
  const steps: number[] = []
  const values: number[] = []
  const at: string[] = []
  attempts.forEach((attempt, i) => {
    const c = pointColumns(attempt.points)
    owners.push(...c.names.map(() => i + 1))
    names.push(...c.names)
    steps.push(...c.steps)
    values.push(...c.values)
    at.push(...c.at)
  })
  const column = <T>(f: (a: FinishedAttempt) => T): T[] => attempts.map(f)
  const { rows } = await sql<TrialRow>`${PREPARED}
    with f as (
      select * from unnest(
        ${column((a) => a.id)}::text[], ${column((a) => a.restarts ?? null)}::integer[], ${column((a) => a.state)}::text[],
        ${column((a) => a.objective)}::float8[], ${column((a) => toNullableJsonb(a.metrics))}::text[], ${column((a) => a.reason)}::text[],
        ${column((a) => a.message)}::text[], ${column((a) => a.finishedAt.toISOString())}::timestamptz[],
        ${column((a) => a.event.type)}::text[], ${column((a) => toNullableJsonb(a.event.payload))}::text[]
      ) with ordinality as f(id, restarts, state, objective, metrics, reason, message, finished_at, event_type, event_payload, i)
    ), t as (
      update trials set state = f.state, objective = f.objective, metrics = f.metrics::jsonb, reason = f.reason, message = f.message,
        finished_at = f.finished_at
      from f
      where trials.id = f.id and trials.state = 'Running' and (f.restarts is null or trials.restarts = f.restarts)
      returning trials.*, f.i as finish__i, f.event_type as event__type, f.event_payload as event__payload
    ), o as (
      insert into observations (trial_id, experiment_id, metric_name, step, value, recorded_at)
      select t.id, t.experiment_id, p.metric_name, p.step, p.value, p.recorded_at
      from unnest(${owners}::bigint[], ${names}::text[], ${steps}::integer[], ${values}::float8[], ${at}::timestamptz[])
        as p(attempt, metric_name, step, value, recorded_at)
      join t on t.finish__i = p.attempt
      ${ON_POINT_CONFLICT}
    ), e as (
      insert into events (experiment_id, trial_id, type, payload)
      select t.experiment_id, t.id, t.event__type, t.event__payload::jsonb from t
    )
    select * from t`.execute(db)
  // By position: of two attempts on one trial in a batch, only the one the update used finished.
  const finished: (TrialRecord | undefined)[] = attempts.map(() => undefined)
  for (const row of rows) finished[Number((row as TrialRow & { finish__i: number | string }).finish__i) - 1] = trialRowToRecord(row)
  return finished
}
