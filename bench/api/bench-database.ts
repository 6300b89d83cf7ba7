import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { openStore } from '../../db/open-store.ts'
import type { Store } from '../../db/store.ts'

export interface BenchDatabase {
  readonly store: Store
  /** A plain pg pool on the same schema, for bulk seeding and counting back. */
  readonly pool: pg.Pool
  readonly schema: string
  close(): Promise<void>
}

/**
 * A private, migrated schema on the PostgreSQL server of `url`, dropped on close: the benchmark
 * never touches existing data, and a second run starts from the same empty state.
 */
export async function openBenchDatabase(url: string): Promise<BenchDatabase> {
  const schema = `tunewell_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`
  const store = await openStore({ url, schema })
  const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}` })
  return {
    store,
    pool,
    schema,
    close: async () => {
      try {
        await store.destroy()
      } finally {
        await pool.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`)
        await pool.end()
      }
    },
  }
}
