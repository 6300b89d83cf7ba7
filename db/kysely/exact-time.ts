import { sql, type RawBuilder } from 'kysely'

/**
 * A timestamptz column as exact ISO 8601 text in UTC with microseconds, for keyset cursors: a JS
 * Date keeps only milliseconds, so a position rebuilt from one would skip or repeat rows that
 * share a millisecond. `$1::timestamptz` reads the text back exactly.
 */
export function exactTime(column: 'created_at'): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
}
