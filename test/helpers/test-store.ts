import { createHash, randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import pg from 'pg'
import { migrateToLatest } from '../../db/migrate.ts'
import { openStore } from '../../db/open-store.ts'
import type { Database } from '../../db/schema.ts'
import type { Store } from '../../db/store.ts'

/**
 * A private, migrated store for one test file. With DATABASE_URL set: a fresh schema on that
 * server, dropped on destroy; otherwise an in-memory PGlite. Callers must `await store.destroy()`.
 */
export async function openTestStore(): Promise<Store> {
  const url = process.env.DATABASE_URL?.trim()
  if (!url) return openStore({ memory: true, memoryFrom: await migratedTemplate() })
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

let template: Promise<Blob> | undefined

/**
 * An empty database at the latest migration, dumped once and loaded by every in-memory test store:
 * a fresh PGlite runs initdb and then the migrations, about 3 s of CPU each time on a two-core
 * machine, where loading the dump takes under one, and the suite opens a few hundred stores per
 * pass. Kept in the temporary folder across test files, under a name that changes with the
 * migrations' sources and PGlite's version, so a changed schema never loads an old dump.
 */
function migratedTemplate(): Promise<Blob> {
  template ??= (async () => {
    const file = join(tmpdir(), `tunewell-test-pglite-${templateKey()}.tar`)
    if (existsSync(file)) return new Blob([readFileSync(file)])
    const pglite = await PGlite.create()
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
    try {
      await migrateToLatest(db)
      const dump = await pglite.dumpDataDir('none')
      const bytes = new Uint8Array(await dump.arrayBuffer())
      // Written aside and renamed: a test file starting beside this one never reads half a dump.
      const partial = `${file}.${process.pid}.partial`
      writeFileSync(partial, bytes)
      renameSync(partial, file)
      return new Blob([bytes])
    } finally {
      await db.destroy()
    }
  })()
  return template
}

function templateKey(): string {
  const hash = createHash('sha256')
  const root = fileURLToPath(new URL('../../', import.meta.url))
  hash.update(readFileSync(join(root, 'node_modules/@electric-sql/pglite/package.json')))
  const migrations = join(root, 'db/migrations')
  hash.update(readFileSync(join(root, 'db/migrate.ts')))
  for (const name of readdirSync(migrations).sort()) hash.update(name).update(readFileSync(join(migrations, name)))
  return hash.digest('hex').slice(0, 16)
}
