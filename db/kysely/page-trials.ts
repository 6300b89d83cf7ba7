import { sql, type Kysely } from 'kysely'
import type { Database, TrialRow } from '../schema.ts'
import type { Page, TrialPageQuery, TrialPosition, TrialRecord } from '../store.ts'
import { exactTime } from './exact-time.ts'
import { trialRowToRecord } from './mappers.ts'

type Row = TrialRow & { created_key?: string }

/**
 * Keyset pagination over one experiment's trials. Each sort reads one range of an index that
 * matches it (see migrations/0001-initial.ts), starting right after the previous page's
 * last (key, number), so the cost of a page does not grow with its depth. Objective nulls come
 * last in both directions: they are a second range (objective IS NULL, by number), read once
 * the numbers run out; row comparisons never match a null, so the two ranges never overlap.
 */
export async function pageTrials(db: Kysely<Database>, experimentId: string, q: TrialPageQuery): Promise<Page<TrialRecord, TrialPosition>> {
  if (q.states && q.states.length === 0) return { items: [] }
  // One row more than asked says whether another page follows.
  const want = q.limit + 1
  const dir = q.order
  const cmp = sql.raw(dir === 'asc' ? '>' : '<')
  const after = q.after
  const base = () => {
    let query = db.selectFrom('trials').selectAll().where('experiment_id', '=', experimentId)
    if (q.states) query = query.where('state', 'in', q.states)
    return query
  }
  let rows: Row[]
  let keyOf: (row: Row) => number | string | null
  switch (q.sort) {
    case 'number': {
      let query = base()
      if (after) query = query.where(sql<boolean>`${sql.ref('number')} ${cmp} ${after.number}`)
      rows = await query.orderBy('number', dir).limit(want).execute()
      keyOf = (row) => row.number
      break
    }
    case 'createdAt': {
      let query = base().select(exactTime('created_at').as('created_key'))
      if (after) query = query.where(sql<boolean>`(created_at, ${sql.ref('number')}) ${cmp} (${after.key}::timestamptz, ${after.number})`)
      rows = await query.orderBy('created_at', dir).orderBy('number', dir).limit(want).execute()
      keyOf = (row) => row.created_key!
      break
    }
    case 'objective': {
      rows = []
      if (!after || after.key !== null) {
        let query = base().where('objective', 'is not', null)
        // float8 text: NaN and ±Infinity (sorted above every number by PostgreSQL) survive the round trip.
        if (after) query = query.where(sql<boolean>`(objective, ${sql.ref('number')}) ${cmp} (${String(after.key)}::float8, ${after.number})`)
        rows = await query.orderBy('objective', dir).orderBy('number', dir).limit(want).execute()
      }
      if (rows.length < want) {
        let query = base().where('objective', 'is', null)
        if (after && after.key === null) query = query.where(sql<boolean>`${sql.ref('number')} ${cmp} ${after.number}`)
        rows.push(...(await query.orderBy('number', dir).limit(want - rows.length).execute()))
      }
      keyOf = (row) => row.objective
      break
    }
  }
  const items = rows.slice(0, q.limit)
  const last = items.at(-1)
  const next = rows.length > q.limit && last ? { key: keyOf(last), number: last.number } : undefined
  return { items: items.map(({ created_key: _, ...row }) => trialRowToRecord(row)), ...(next ? { next } : {}) }
}
