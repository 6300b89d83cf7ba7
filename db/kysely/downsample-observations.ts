import { sql, type Kysely } from 'kysely'
import type { Database } from '../schema.ts'
import type { ObservationSeries, SeriesQuery } from '../store.ts'

interface Row {
  trial_id: string
  metric_name: string
  step: number
  value: number
  total: number | string
}

/**
 * Learning curves cut down in the database, so a chart of 10,000 trials never pulls their
 * million raw points through the API.
 *
 * Method: min/max per step bucket. A series longer than `maxPoints` keeps its first and last
 * point, and its step range [first, last] is cut into B = floor((maxPoints - 2) / 2) buckets of
 * equal width, each keeping the point with its lowest and the point with its highest value
 * (the earlier step on ties). That keeps what a chart must show, spikes and dips included (an
 * average or every k-th point would hide a divergence), never exceeds maxPoints, and is exact
 * for the extremes: the series' min and max always survive. Buckets are equal in steps, not in
 * points, like pixel columns on a step axis; an empty bucket costs nothing, so uneven steps
 * give fewer points, never more. Below 4 points there is no room for a bucket: first and last only.
 *
 * Points are read through the primary key (trial_id, metric_name, step), one range per trial,
 * so the cost follows the trials asked for, not the experiment. NaN and ±Infinity are left out,
 * as in the summaries: they cannot be drawn, and JSON cannot carry them.
 */
export async function downsampleObservations(db: Kysely<Database>, q: SeriesQuery): Promise<ObservationSeries[]> {
  if (q.trialIds.length === 0 || (q.metrics && q.metrics.length === 0)) return []
  const where = sql`trial_id in (${sql.join(q.trialIds)})
    ${q.metrics ? sql`and metric_name in (${sql.join(q.metrics)})` : sql``}
    and value not in ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)`
  let rows: Row[]
  if (q.maxPoints === undefined) {
    const result = await sql<Row>`
      select trial_id, metric_name, step, value, count(*) over (partition by trial_id, metric_name) as total
      from observations where ${where}
      order by trial_id, metric_name, step`.execute(db)
    rows = result.rows
  } else {
    const max = q.maxPoints
    const buckets = Math.floor((max - 2) / 2)
    // Without buckets only the first and last point are kept; a constant bucket keeps the query the same.
    const bucket = buckets > 0 ? sql`width_bucket(step::float8, lo::float8, hi::float8 + 1, ${buckets}::integer)` : sql`0`
    const extremes = buckets > 0 ? sql`or step = low_step or step = high_step` : sql``
    // Window aggregates over one partition (no ORDER BY inside), so the whole pick costs one sort
    // by bucket: half the time of ranking each bucket twice. Ties go to the earliest step.
    const result = await sql<Row>`
      with points as (
        select trial_id, metric_name, step, value,
          count(*) over series as total, min(step) over series as lo, max(step) over series as hi
        from observations where ${where}
        window series as (partition by trial_id, metric_name)
      ), bucketed as (
        select *, ${bucket} as bucket from points
      ), extremes as (
        select *, min(value) over b as low, max(value) over b as high
        from bucketed window b as (partition by trial_id, metric_name, bucket)
      ), picked as (
        select *, min(step) filter (where value = low) over b as low_step, min(step) filter (where value = high) over b as high_step
        from extremes window b as (partition by trial_id, metric_name, bucket)
      )
      select trial_id, metric_name, step, value, total from picked
      where total <= ${max}::integer or step = lo or step = hi ${extremes}
      order by trial_id, metric_name, step`.execute(db)
    rows = result.rows
  }
  const series: ObservationSeries[] = []
  let current: ObservationSeries | undefined
  for (const r of rows) {
    if (!current || current.trialId !== r.trial_id || current.metric !== r.metric_name) {
      current = { trialId: r.trial_id, metric: r.metric_name, total: Number(r.total), points: [] }
      series.push(current)
    }
    current.points.push({ step: r.step, value: r.value })
  }
  return series
}
