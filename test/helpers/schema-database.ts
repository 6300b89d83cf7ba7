import { randomUUID } from 'node:crypto'
import pg from 'pg'

export interface SchemaDatabase {
  /** DATABASE_URL for child processes: the server of `base`, every connection's search_path set to the schema. */
  readonly url: string
  readonly schema: string
  /** Drops the schema and all in it. */
  drop(): Promise<void>
}

/**
 * A fresh, empty schema on the PostgreSQL server of `base` (DATABASE_URL), reachable through a
 * URL of its own, so CLI and serve child processes share one database that no other test sees.
 */
export async function createSchemaDatabase(base: string, prefix = 'tunewell_test'): Promise<SchemaDatabase> {
  const schema = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`
  await withClient(base, (client) => client.query(`create schema ${pg.escapeIdentifier(schema)}`))
  const url = new URL(base)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return {
    url: url.toString(),
    schema,
    drop: () => withClient(base, (client) => client.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`)).then(() => undefined),
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}
