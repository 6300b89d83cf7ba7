import type { Store } from '../../db/store.ts'
import { badRequest } from './kube-status.ts'

/** `?dryRun=All`: every check and the answer of a real write, nothing kept. Any other value is refused, as a server does. */
export function parseDryRun(value: unknown): boolean {
  if (value === undefined || value === '') return false
  const values = Array.isArray(value) ? value : [value]
  if (values.every((v) => v === 'All')) return true
  throw badRequest(`Invalid dry run value: ${values.map(String).join(', ')}; the only supported value is All`)
}

class RolledBack<T> {
  constructor(readonly value: T) {}
}

/**
 * Runs `work` in one transaction, committed normally, or for a dry run rolled back once it has
 * its answer: the write goes through the very code and checks a real one does (names taken,
 * Katib's update rules judged on the row as it is, the object rendered from what the database
 * would hold), and nothing of it stays, events included.
 */
export async function inTransaction<T>(store: Store, dryRun: boolean, work: (tx: Store) => Promise<T>): Promise<T> {
  if (!dryRun) return store.transaction(work)
  try {
    await store.transaction(async (tx) => {
      throw new RolledBack(await work(tx))
    })
  } catch (outcome) {
    if (outcome instanceof RolledBack) return outcome.value as T
    throw outcome
  }
  throw new Error('unreachable: a dry run always rolls back')
}
