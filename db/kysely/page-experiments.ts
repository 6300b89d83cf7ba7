import { sql, type Kysely } from 'kysely'
import type { Database } from '../schema.ts'
import type { ExperimentPageQuery, ExperimentPosition, ExperimentRecord, Page } from '../store.ts'
import { exactTime } from './exact-time.ts'
import { experimentRowToRecord } from './mappers.ts'

/** `%`, `_` and the escape character itself are literal in a user's substring. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/** Newest first, keyset-paginated on (created_at, name) with experiments_created_at_name_idx. */
export async function pageExperiments(db: Kysely<Database>, q: ExperimentPageQuery): Promise<Page<ExperimentRecord, ExperimentPosition>> {
  if (q.states && q.states.length === 0) return { items: [] }
  let query = db.selectFrom('experiments').selectAll().select(exactTime('created_at').as('created_key'))
  if (q.states) query = query.where('state', 'in', q.states)
  if (q.nameContains) query = query.where('name', 'ilike', `%${escapeLike(q.nameContains)}%`)
  for (const [key, value] of Object.entries(q.labels ?? {})) {
    // Both typed: `->>` is overloaded (text key, int index), so an untyped parameter is ambiguous.
    query = query.where(sql<boolean>`(spec->'metadata'->'labels'->>(${key}::text)) = ${value}::text`)
  }
  if (q.after) query = query.where(sql<boolean>`(created_at, name) < (${q.after.createdAt}::timestamptz, ${q.after.name})`)
  const rows = await query.orderBy('created_at', 'desc').orderBy('name', 'desc').limit(q.limit + 1).execute()
  const items = rows.slice(0, q.limit)
  const last = items.at(-1)
  return {
    items: items.map(({ created_key: _, ...row }) => experimentRowToRecord(row)),
    ...(rows.length > q.limit && last ? { next: { createdAt: last.created_key, name: last.name } } : {}),
  }
}
