import { createHash } from 'node:crypto'
import type { PostgresPool, PostgresPoolClient } from 'kysely'
import type pg from 'pg'
import { PREPARED_MARK } from './kysely/prepared.ts'

/** Statement names by text; the marked texts are few, the cap only guards against a mistake. */
const names = new Map<string, string>()
const MAX_NAMES = 1_000

/**
 * `pool` for Kysely, sending statements marked with PREPARED as named prepared statements:
 * node-postgres parses a name once per connection and then only binds and executes it, so
 * PostgreSQL skips parsing, analysis and (once it settles on a generic plan) planning. Kysely
 * has no way to name a statement, hence the mark in the text. The name is a digest of the text,
 * so two texts never share one.
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>()
  return {
    async connect() {
      const client = await pool.connect()
      // Kysely keeps its connection objects by client: hand back the same wrapper every time.
      let wrapper = clients.get(client)
      if (!wrapper) {
        wrapper = preparingClient(client)
        clients.set(client, wrapper)
      }
      return wrapper
    },
    end: () => pool.end(),
  }
}

function preparingClient(client: pg.PoolClient): PostgresPoolClient {
  // node-postgres reports a connection lost while checked out (a server restart, a killed
  // backend) as an 'error' event on the client, which the pool listens to only while the client
  // is idle: without this listener the process would crash. The query in flight is rejected by
  // node-postgres itself; the client is destroyed on release instead of going back to the pool.
  let broken = false
  client.on('error', () => {
    broken = true
  })
  const query = (textOrCursor: unknown, values?: readonly unknown[]): unknown => {
    if (typeof textOrCursor === 'string' && textOrCursor.startsWith(PREPARED_MARK)) {
      return client.query({ name: statementName(textOrCursor), text: textOrCursor, values: values ? [...values] : [] })
    }
    return (client.query as (a: unknown, b?: unknown) => unknown)(textOrCursor, values)
  }
  return { query: query as PostgresPoolClient['query'], release: (destroy?: boolean) => client.release(destroy || broken || undefined) }
}

function statementName(text: string): string {
  let name = names.get(text)
  if (name === undefined) {
    if (names.size >= MAX_NAMES) names.clear()
    name = `ht_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`
    names.set(text, name)
  }
  return name
}
