import { sql, type Kysely } from 'kysely'
import type { MetricPoint } from '../../core/metric.ts'
import type { TrialState } from '../../core/trial.ts'
import type { Database, TrialRow } from '../schema.ts'
import type { TrialPatch, TrialRecord } from '../store.ts'
import { toNullableJsonb, trialPatchToUpdate, trialRowToRecord } from './mappers.ts'
import { ON_POINT_CONFLICT, pointColumns, unnestPoints } from './point-columns.ts'
import { PREPARED } from './prepared.ts'

/**
 * TrialStore.finishAttempt as one statement with data-modifying CTEs: the points and the event
 * are inserted from the update's RETURNING, so they exist exactly when the transition applied,
 * atomically without a transaction (one round trip instead of BEGIN, three statements, COMMIT).
 */
export async function finishAttempt(
  db: Kysely<Database>,
  id: string, restarts: number | undefined, from: readonly TrialState[], to: TrialState, patch: TrialPatch,
  effects: { readonly points: readonly MetricPoint[]; readonly event: { readonly type: string; readonly payload?: unknown } },
): Promise<TrialRecord | undefined> {
  if (from.length === 0) return undefined
  const set = Object.entries({ ...trialPatchToUpdate(patch), state: to }).map(([column, value]) => sql`${sql.ref(column)} = ${value}`)
  // Prepared: its text takes a few forms only (the patch's keys, whether restarts is given).
  const { rows } = await sql<TrialRow>`${PREPARED}
    with t as (
      update trials set ${sql.join(set)}
      where id = ${id} and state in (${sql.join(from)})${restarts === undefined ? sql`` : sql` and restarts = ${restarts}`}
      returning *
    ), o as (
      insert into observations (trial_id, experiment_id, metric_name, step, value, recorded_at)
      select t.id, t.experiment_id, p.metric_name, p.step, p.value, p.recorded_at
      from t, ${unnestPoints(pointColumns(effects.points))}
      where true
      ${ON_POINT_CONFLICT}
    ), e as (
      insert into events (experiment_id, trial_id, type, payload)
      select t.experiment_id, t.id, ${effects.event.type}, ${toNullableJsonb(effects.event.payload)}::jsonb from t
    )
    select * from t`.execute(db)
  const row = rows[0]
  return row && trialRowToRecord(row)
}
