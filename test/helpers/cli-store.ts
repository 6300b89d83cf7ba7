import { join } from 'node:path'
import { openStore, resolveStoreOptions } from '../../db/open-store.ts'
import type { Store } from '../../db/store.ts'

/**
 * Opens the database a CLI child process used with `--home home` (only after it exited: PGlite
 * allows one process), runs `work`, closes it.
 */
export async function withCliStore<T>(home: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(resolveStoreOptions(process.env, join(home, '.hypertune')))
  try {
    return await work(store)
  } finally {
    await store.destroy()
  }
}
