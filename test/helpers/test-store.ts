import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { openStore } from '../../db/open-store.ts'
import type { Store } from '../../db/store.ts'

/**
 * A private, migrated store for one test file. With DATABASE_URL set: a fresh schema on that
 * server, dropped on destroy; otherwise an in-memory PGlite. Callers must `await store.destroy()`.
 */
export async function openTestStore(): Promise<Store> {
  const url = process.env.DATABASE_URL?.trim()
  if (!url) return openStore({ memory: true })
  const schema = `tunewell_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`
  const store = await openStore({ url, schema })
  return {
    experiments: store.experiments,
    trials: store.trials,
    observations: store.observations,
    algorithmStates: store.algorithmStates,
    events: store.events,
    leases: store.leases,
    pushKeys: store.pushKeys,
    tombstones: store.tombstones,
    backend: store.backend,
    pendingMigrations: () => store.pendingMigrations(),
    transaction: (work) => store.transaction(work),
    destroy: async () => {
      try {
        await store.destroy()
      } finally {
        await dropSchema(url, schema)
      }
    },
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    await client.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`)
  } finally {
    await client.end()
  }
}
