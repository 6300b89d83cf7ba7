import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { TunewellError } from '../core/errors.ts'
import { lockDataDir } from './data-dir-lock.ts'
import { KyselyStore } from './kysely-store.ts'
import { migrateToLatest } from './migrate.ts'
import type { Database } from './schema.ts'

/**
 * The embedded database: PGlite in `dataDir` (created if missing), or in memory when it is undefined.
 * `from` (in memory only): a data folder dumped by `PGlite.dumpDataDir`, loaded instead of running
 * initdb (the tests' migrated template: test/helpers/test-store.ts).
 */
export async function openPglite(dataDir: string | undefined, schema?: string, from?: Blob): Promise<KyselyStore> {
  const dir = dataDir === undefined ? undefined : resolve(dataDir)
  let release = () => {}
  if (dir !== undefined) {
    try {
      mkdirSync(dir, { recursive: true })
    } catch (error) {
      throw new TunewellError('DATABASE_UNAVAILABLE', `cannot create the embedded database folder ${dir}: ${String(error)}`, {
        cause: error,
      })
    }
    release = lockDataDir(dir)
  }
  let pglite: PGlite
  const exitCode = process.exitCode
  try {
    pglite = dir === undefined ? await PGlite.create(from ? { loadDataDir: from } : {}) : await PGlite.create(dir)
  } catch (error) {
    // PGlite's WASM runtime sets process.exitCode on a failed start; the error is ours to report.
    process.exitCode = exitCode
    release()
    // PGlite reports a damaged folder as a WASM abort ("Aborted()") or a vague init failure.
    const why = error instanceof Error ? error.message : String(error)
    throw new TunewellError(
      'DATABASE_UNAVAILABLE',
      `the embedded database${dir ? ` at ${dir}` : ''} could not be opened (${why}); it may be damaged or ` +
        'written by another PGlite version. Move the folder aside to start with an empty database, ' +
        'or set DATABASE_URL to use PostgreSQL.',
      { cause: error },
    )
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
  try {
    // One connection only, so a session-level search_path covers every query.
    if (schema) await pglite.exec(`create schema if not exists "${schema}"; set search_path to "${schema}"`)
    await migrateToLatest(db)
  } catch (error) {
    await db.destroy()
    release()
    throw error
  }
  return new KyselyStore(db, { backend: 'pglite', onDestroy: async () => release() })
}
