import { sql, type Kysely } from 'kysely'
import type { MetricPoint } from '../../core/metric.ts'
import type { IntermediateValue } from '../../core/trial.ts'
import type { Database } from '../schema.ts'
import type { ObservationSeries, ObservationStore, SeriesQuery } from '../store.ts'
import { downsampleObservations } from './downsample-observations.ts'
import { observationRowToPoint } from './mappers.ts'
import { ON_POINT_CONFLICT, pointColumns, unnestPoints } from './point-columns.ts'
import { trialNotFound } from './kysely-trial-store.ts'

type Summary = { min: number; max: number; latest: number; count: number }

export class KyselyObservationStore implements ObservationStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async append(trialId: string, points: readonly MetricPoint[]): Promise<void> {
    if (points.length === 0) return
    // experiment_id comes from the trial in the same statement; no row written means no trial.
    const result = await sql`
      insert into observations (trial_id, experiment_id, metric_name, step, value, text_value, recorded_at)
      select t.id, t.experiment_id, p.metric_name, p.step, p.value, p.text_value, p.recorded_at
      from trials t, ${unnestPoints(pointColumns(points))}
      where t.id = ${trialId}
      ${ON_POINT_CONFLICT}`.execute(this.#db)
    if (!result.numAffectedRows) throw trialNotFound(trialId)
  }

  async list(trialId: string, names?: readonly string[]): Promise<MetricPoint[]> {
    if (names && names.length === 0) return []
    let query = this.#db
      .selectFrom('observations')
      .select(['metric_name', 'step', 'value', 'text_value', 'recorded_at'])
      .where('trial_id', '=', trialId)
    if (names) query = query.where('metric_name', 'in', names)
    const rows = await query.orderBy('metric_name').orderBy('step').execute()
    return rows.map(observationRowToPoint)
  }

  async summarize(trialId: string): Promise<Record<string, Summary>> {
    const rows = await this.#db
      .selectFrom('observations')
      .select((eb) => [
        'metric_name',
        eb.fn.min('value').as('min'),
        eb.fn.max('value').as('max'),
        eb.fn.countAll().as('count'),
        // Katib's latest: the newest timestamp, then the higher step (metrics-collector/objective.ts summarize).
        sql<number>`(array_agg(value order by recorded_at desc, step desc))[1]`.as('latest'),
      ])
      .where('trial_id', '=', trialId)
      // PostgreSQL compares NaN equal to itself, so NOT IN drops NaN as well as ±Infinity.
      .where(sql<boolean>`value not in ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)`)
      .groupBy('metric_name')
      .execute()
    const summaries: Record<string, Summary> = {}
    for (const r of rows) {
      summaries[r.metric_name] = { min: r.min, max: r.max, latest: r.latest, count: Number(r.count) }
    }
    return summaries
  }

  async textSummaries(trialId: string): Promise<Record<string, string>> {
    const rows = await this.#db
      .selectFrom('observations')
      .select(['metric_name', sql<string>`(array_agg(text_value order by recorded_at desc, step desc))[1]`.as('latest')])
      .where('trial_id', '=', trialId)
      .groupBy('metric_name')
      // A metric that also reported a number is numeric: its texts are garbage.
      .having(sql<boolean>`bool_and(text_value is not null)`)
      .execute()
    return Object.fromEntries(rows.map((r) => [r.metric_name, r.latest]))
  }

  async countForExperiment(experimentId: string): Promise<number> {
    const { count } = await this.#db
      .selectFrom('observations')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('experiment_id', '=', experimentId)
      .executeTakeFirstOrThrow()
    return Number(count)
  }

  async curves(experimentId: string, metric: string): Promise<Map<string, IntermediateValue[]>> {
    const rows = await this.#db
      .selectFrom('observations')
      .select(['trial_id', 'step', 'value'])
      .where('experiment_id', '=', experimentId)
      .where('metric_name', '=', metric)
      // A text is no point of a curve (its value is NaN only to fill the column).
      .where('text_value', 'is', null)
      .orderBy('trial_id')
      .orderBy('step')
      .execute()
    const curves = new Map<string, IntermediateValue[]>()
    for (const row of rows) {
      let curve = curves.get(row.trial_id)
      if (!curve) curves.set(row.trial_id, (curve = []))
      curve.push({ step: row.step, value: row.value })
    }
    return curves
  }

  async deleteForTrial(trialId: string): Promise<void> {
    await this.#db.deleteFrom('observations').where('trial_id', '=', trialId).execute()
  }

  series(query: SeriesQuery): Promise<ObservationSeries[]> {
    return downsampleObservations(this.#db, query)
  }
}
