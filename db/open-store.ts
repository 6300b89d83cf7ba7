import { join } from 'node:path'
import type { Store } from './store.ts'
import { openPglite } from './open-pglite.ts'
import { openPostgres } from './open-postgres.ts'

/** A lowercase SQL identifier: safe unquoted in a connection's startup options. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

export interface StoreOptions {
  /** PostgreSQL connection string; takes precedence over `dataDir` and `memory`. */
  readonly url?: string
  /** Folder of the embedded (PGlite) database; created if missing. One process at a time. */
  readonly dataDir?: string
  /** Embedded database in memory, gone on destroy (tests). */
  readonly memory?: boolean
  /** With `memory`: start from this dumped data folder instead of an empty one (see openPglite). */
  readonly memoryFrom?: Blob
  /** Schema to create and use as search_path, e.g. one per test run on a shared server; [a-z0-9_]. */
  readonly schema?: string
  /** How long to wait for PostgreSQL to answer before failing; default 5000. */
  readonly connectTimeoutMs?: number
}

/**
 * Opens the database and migrates it to the latest schema. An unreachable, locked or damaged
 * database throws TunewellError('DATABASE_UNAVAILABLE') with a message saying how to fix it.
 * Callers must `await store.destroy()`: an open PGlite keeps the process alive.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(`schema must be a lowercase SQL identifier (a-z, 0-9, _), got ${JSON.stringify(options.schema)}`)
  }
  if (options.url) {
    return openPostgres(options.url, { schema: options.schema, connectTimeoutMs: options.connectTimeoutMs ?? 5000 })
  }
  if (options.dataDir !== undefined) return openPglite(options.dataDir, options.schema)
  if (options.memory) return openPglite(undefined, options.schema, options.memoryFrom)
  throw new Error('openStore needs one of: url, dataDir, memory: true')
}

/**
 * DATABASE_URL selects PostgreSQL; otherwise the embedded database lives in `<home>/db`,
 * where `home` is the `.tunewell` folder (default: `./.tunewell`).
 */
export function resolveStoreOptions(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = join(process.cwd(), '.tunewell'),
): StoreOptions {
  const url = env.DATABASE_URL?.trim()
  return url ? { url } : { dataDir: join(home, 'db') }
}
