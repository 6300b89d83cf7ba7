import { join } from 'node:path'
import { openStore, resolveStoreOptions } from '../../db/open-store.ts'
import type { Store } from '../../db/store.ts'

/**
 * Opens the database a CLI child process used with `--home home` (only after it exited: PGlite
 * allows one process), runs `work`, closes it.
 */
export async function withCliStore<T>(home: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(resolveStoreOptions(process.env, join(home, '.tunewell')))
  try {
    return await work(store)
  } finally {
    await store.destroy()
  }
}

/** Deletes the named experiments from the CLI's database (on a shared PostgreSQL, tests leave nothing behind). */
export async function deleteCliExperiments(home: string, names: readonly string[]): Promise<void> {
  await withCliStore(home, async (store) => {
    for (const name of names) {
      const record = await store.experiments.getByName(name)
      if (record) await store.experiments.delete(record.id)
    }
  })
}
