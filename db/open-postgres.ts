import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { databaseUnavailable } from './database-unavailable.ts'
import { KyselyStore } from './kysely-store.ts'
import { migrateToLatest } from './migrate.ts'
import { preparingPool } from './preparing-pool.ts'
import type { Database } from './schema.ts'

// pg returns int8 (bigint, bigserial, count(*)) as strings; PGlite returns numbers. Parsing
// them per pool gives both backends the same types without touching pg's global parsers.
const types = new pg.TypeOverrides()
types.setTypeParser(pg.types.builtins.INT8, Number)

export interface PostgresOptions {
  /** Create this schema if needed and make it every connection's search_path (test isolation); a plain identifier. */
  readonly schema?: string
  readonly connectTimeoutMs: number
}

export async function openPostgres(url: string, options: PostgresOptions): Promise<KyselyStore> {
  const { schema, connectTimeoutMs } = options
  await probe(url, connectTimeoutMs, schema)
  const pool = new pg.Pool({
    connectionString: url,
    types,
    // Waiting for a pooled connection under load may take longer than the first connect.
    connectionTimeoutMillis: Math.max(connectTimeoutMs, 30_000),
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  // An idle connection dropped by the server (restart, failover) is reported here; without a
  // listener Node would crash the process. The pool discards it and the next query reconnects.
  pool.on('error', () => {})
  // Our named prepared statements (PREPARED) and PL/pgSQL functions pass their batches as arrays,
  // whose length a plan cannot know: PostgreSQL then finds every custom plan cheaper than the
  // generic one and plans each call anew, which cost five times the execution. Their texts
  // are written so that the generic plan is index lookups whatever the guess. Unprepared
  // statements are planned per call regardless. Queued first on each new connection.
  pool.on('connect', (client) => {
    client.query('set plan_cache_mode = force_generic_plan').catch(() => {})
  })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) })
  try {
    await migrateToLatest(db)
  } catch (error) {
    await db.destroy()
    throw error
  }
  return new KyselyStore(db, { backend: 'postgres' })
}

/** One short-timeout connection first, so an unreachable server fails fast with a clear message. */
async function probe(url: string, timeoutMs: number, schema: string | undefined): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs })
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    await client.end().catch(() => {})
    throw databaseUnavailable(url, error, timeoutMs)
  }
  try {
    if (schema) await client.query(`create schema if not exists ${pg.escapeIdentifier(schema)}`)
  } finally {
    await client.end()
  }
}
