import { sql, type Kysely } from 'kysely'
import type { Database, ExperimentRow, TrialRow } from '../schema.ts'
import type { ExperimentRecord, PointsSummary, TrialByNames, TrialLookup } from '../store.ts'
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

/**
 * TrialStore.findByNames: experiments and trials by left joins from the lookups, the points
 * summarised in SQL (one row per metric, not per point). An experiment's columns come on its
 * first row only and its record is shared by its lookups: a batch of one experiment's tells
 * reads and parses its spec once.
 */
export async function findTrialsByNames(db: Kysely<Database>, lookups: readonly TrialLookup[], withPoints: boolean): Promise<TrialByNames[]> {
  if (lookups.length === 0) return []
  const first = sql`row_number() over (partition by e.id order by r.i) = 1`
  const experimentColumns = sql.join(EXPERIMENT_COLUMNS.map((c) => c === 'id'
    ? sql`e.id as ${sql.ref(PREFIX + c)}`
    : sql`case when ${first} then e.${sql.ref(c)} end as ${sql.ref(PREFIX + c)}`))
  // PostgreSQL compares NaN equal to itself, so NOT IN drops NaN as well as ±Infinity (as summarize does).
  const points = withPoints
    ? sql`(
        select json_agg(json_build_object('name', s.metric_name, 'lastStep', s.last_step, 'count', s.count, 'min', s.min, 'max', s.max, 'latest', s.latest) order by s.metric_name)
        from (
          select metric_name, max(step) as last_step,
            count(*) filter (where finite) as count,
            min(value) filter (where finite) as min,
            max(value) filter (where finite) as max,
            -- Katib's latest: the newest timestamp, then the higher step (as summarize).
            (array_agg(value order by recorded_at desc, step desc) filter (where finite))[1] as latest
          from (
            select metric_name, step, value, recorded_at, value not in ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8) as finite
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
  // Prepared: one text with points and one without, whatever the batch (the names are arrays).
  // Its generic plan guesses 100 lookups; LATERAL ... LIMIT 1 keeps both joins index lookups per
  // name whatever the guess, where a hash join would read every trial.
  const { rows } = await sql<Record<string, unknown>>`${PREPARED}
    select r.i as ${sql.ref(`${PREFIX}ordinal`)}, t.*, ${experimentColumns}, ${progressColumns} ${points} as ${sql.ref(`${PREFIX}points`)}
    from unnest(${lookups.map((l) => l.experimentName)}::text[], ${lookups.map((l) => l.trialName)}::text[]) with ordinality r(experiment_name, trial_name, i)
    left join lateral (select * from experiments x where x.name = r.experiment_name limit 1) e on true
    left join lateral (select * from trials y where y.experiment_id = e.id and y.name = r.trial_name limit 1) t on true
    order by r.i`.execute(db)
  const experiments = new Map<string, ExperimentRecord>()
  return rows.map((row) => {
    const id = row[`${PREFIX}id`] as string | null
    if (id === null) return {}
    let experiment = experiments.get(id)
    if (!experiment) {
      experiment = experimentRowToRecord(Object.fromEntries(EXPERIMENT_COLUMNS.map((c) => [c, row[PREFIX + c]])) as unknown as ExperimentRow)
      experiments.set(id, experiment)
    }
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
  })
}
