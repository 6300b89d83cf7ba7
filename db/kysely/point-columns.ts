import { sql, type RawBuilder } from 'kysely'
import type { MetricPoint } from '../../core/metric.ts'

/** A batch of points as parallel arrays, one entry per (name, step). */
export interface PointColumns {
  readonly names: string[]
  readonly steps: number[]
  readonly values: number[]
  /** MetricPoint.text, null for a number. */
  readonly texts: (string | null)[]
  /** ISO 8601: text reads back the same on both backends, whatever their Date serialisation. */
  readonly at: string[]
}

/**
 * One upsert may not touch the same row twice, so a batch that repeats a key keeps its last copy.
 * Five array parameters instead of seven per row: the statement's text and its parse cost stay
 * the same size whatever the batch, with no parameter cap to chunk around.
 */
export function pointColumns(points: readonly MetricPoint[]): PointColumns {
  const index = new Map<string, number>()
  const columns: PointColumns = { names: [], steps: [], values: [], texts: [], at: [] }
  for (const p of points) {
    const key = `${p.step} ${p.name}`
    const at = p.at.toISOString()
    const i = index.get(key)
    if (i !== undefined) {
      columns.values[i] = p.value
      columns.texts[i] = p.text ?? null
      columns.at[i] = at
      continue
    }
    index.set(key, columns.names.length)
    columns.names.push(p.name)
    columns.steps.push(p.step)
    columns.values.push(p.value)
    columns.texts.push(p.text ?? null)
    columns.at.push(at)
  }
  return columns
}

/** The points as a relation `p(metric_name, step, value, text_value, recorded_at)`, for `insert ... select`. */
export function unnestPoints(c: PointColumns): RawBuilder<unknown> {
  return sql`unnest(${c.names}::text[], ${c.steps}::integer[], ${c.values}::float8[], ${c.texts}::text[], ${c.at}::timestamptz[]) as p(metric_name, step, value, text_value, recorded_at)`
}

/** The upsert's tail: a resent point overwrites its value and time, never duplicates. */
export const ON_POINT_CONFLICT = sql`on conflict (trial_id, metric_name, step) do update set value = excluded.value, text_value = excluded.text_value, recorded_at = excluded.recorded_at`
