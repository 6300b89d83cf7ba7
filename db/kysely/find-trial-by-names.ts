import { sql, type Kysely } from 'kysely'
import type { Database, ExperimentRow, TrialRow } from '../schema.ts'
import type { PointsSummary, TrialByNames } from '../store.ts'
import { experimentRowToRecord, trialRowToRecord } from './mappers.ts'
import { PREPARED } from './prepared.ts'

// A Record over every column, so a column added to ExperimentsTable fails to compile here
// instead of going missing from the record. Prefixed, since the trial's columns share names.
const EXPERIMENT_COLUMNS = Object.keys({
  id: 0, name: 0, spec: 0, state: 0, reason: 0, message: 0, seed: 0, best_trial_id: 0, created_at: 0, started_at: 0, completed_at: 0,
} satisfies Record<keyof ExperimentRow, 0>) as (keyof ExperimentRow)[]

const PREFIX = 'experiment__'

interface PointsRow {
  readonly name: string
  readonly lastStep: number
  readonly count: number
  readonly min: number | null
  readonly max: number | null
  readonly latest: number | null
}

/** TrialStore.findByNames: experiment and trial by a left join, the points summarised in SQL (one row per metric, not per point). */
export async function findTrialByNames(db: Kysely<Database>, experimentName: string, trialName: string, withPoints: boolean): Promise<TrialByNames> {
  const experimentColumns = sql.join(EXPERIMENT_COLUMNS.map((c) => sql`e.${sql.ref(c)} as ${sql.ref(PREFIX + c)}`))
  // PostgreSQL compares NaN equal to itself, so NOT IN drops NaN as well as ±Infinity (as summarize does).
  const points = withPoints
    ? sql`(
        select json_agg(json_build_object('name', s.metric_name, 'lastStep', s.last_step, 'count', s.count, 'min', s.min, 'max', s.max, 'latest', s.latest) order by s.metric_name)
        from (
          select metric_name, max(step) as last_step,
            count(*) filter (where finite) as count,
            min(value) filter (where finite) as min,
            max(value) filter (where finite) as max,
            (array_agg(value order by step desc) filter (where finite))[1] as latest
          from (
            select metric_name, step, value, value not in ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8) as finite
            from observations where trial_id = t.id
          ) o
          group by metric_name
        ) s)`
    : sql`null`
  // What a tell needs to know whether its experiment may complete (see TrialByNames.progress).
  const progressColumns = withPoints
    ? sql`(select max(number) from trials where experiment_id = e.id) as ${sql.ref(`${PREFIX}max_number`)},
      coalesce((select a.state -> 'exhausted' = 'true'::jsonb from algorithm_states a where a.experiment_id = e.id), false) as ${sql.ref(`${PREFIX}exhausted`)},`
    : sql``
  // Prepared: one text with points and one without, run by every tell, heartbeat and push.
  const { rows } = await sql<Record<string, unknown>>`${PREPARED}
    select t.*, ${experimentColumns}, ${progressColumns} ${points} as ${sql.ref(`${PREFIX}points`)}
    from experiments e left join trials t on t.experiment_id = e.id and t.name = ${trialName}
    where e.name = ${experimentName}`.execute(db)
  const row = rows[0]
  if (!row) return {}
  const experiment = experimentRowToRecord(Object.fromEntries(EXPERIMENT_COLUMNS.map((c) => [c, row[PREFIX + c]])) as unknown as ExperimentRow)
  if (row.id === null) return { experiment }
  const trial = trialRowToRecord(row as unknown as TrialRow)
  if (!withPoints) return { experiment, trial }
  // fromEntries defines own properties, so a metric named `__proto__` stays an ordinary key.
  const summaries = Object.fromEntries(((row[`${PREFIX}points`] ?? []) as PointsRow[]).map((p): [string, PointsSummary] => [
    p.name,
    p.count > 0 ? { lastStep: p.lastStep, finite: { min: p.min!, max: p.max!, latest: p.latest!, count: p.count } } : { lastStep: p.lastStep },
  ]))
  const maxNumber = row[`${PREFIX}max_number`] as number | string | null
  const progress = { total: maxNumber === null ? 0 : Number(maxNumber) + 1, suggestionExhausted: row[`${PREFIX}exhausted`] === true }
  return { experiment, trial, points: summaries, progress }
}
