import { LeaseLostError } from './lease-lost-error.ts'
import type { LeaseFence, Store } from './store.ts'

/** The methods that change the database, per part of the Store; everything else reads and passes through. */
const WRITES = {
  experiments: ['update', 'transition'],
  trials: ['createMany', 'transition', 'transitionMany', 'update', 'setExecutions', 'transitionAttempt', 'finishAttempts', 'heartbeat'],
  observations: ['append', 'deleteForTrial'],
  algorithmStates: ['put'],
  events: ['append', 'appendMany'],
} as const satisfies { readonly [K in keyof Store]?: readonly (keyof Store[K])[] }

/**
 * The store an experiment's controller writes through while it holds the experiment's lease.
 * Every write (and every `transaction`, e.g. the suggestion service creating trials) runs in a
 * transaction that first checks the lease with `leases.assertHeld(fence)`: held by this holder
 * and epoch, unexpired by the database's clock, and locked FOR SHARE until commit. An
 * acquisition updates that row, so it waits for the transaction; once it has happened, the
 * check fails and the write is refused with LeaseLostError. A controller that was paused
 * (SIGSTOP, a long GC, a partition) past its expiry and replaced therefore changes nothing when
 * it resumes, whatever it believes.
 *
 * A lease that merely expired (nobody took it: the database was away, or the process paused
 * with no other controller waiting) is renewed through `renew` and the write tried once more;
 * a takeover in between makes that attempt fail like any other.
 * Creating and deleting experiments are not fenced: a lease belongs to an existing experiment.
 */
export function fencedStore(store: Store, fence: LeaseFence, renew: () => Promise<unknown>): Store {
  const fenced = async <T>(work: (tx: Store) => Promise<T>): Promise<T> => {
    const attempt = () => store.transaction(async (tx) => {
      await tx.leases.assertHeld(fence)
      return work(tx)
    })
    try {
      return await attempt()
    } catch (error) {
      if (!(error instanceof LeaseLostError && error.expiredOnly)) throw error
      // Renewed, the write applies; taken meanwhile, the second attempt says by whom.
      await renew()
      return attempt()
    }
  }
  const part = <K extends keyof typeof WRITES>(key: K): Store[K] => {
    const target = store[key] as object
    const writes: readonly PropertyKey[] = WRITES[key]
    return new Proxy(target, {
      get(_, name) {
        // Bound to the real object: the Kysely stores keep their connection in private fields.
        if (!writes.includes(name)) {
          const value: unknown = Reflect.get(target, name)
          return typeof value === 'function' ? value.bind(target) : value
        }
        return (...args: unknown[]) => fenced((tx) => {
          const inner = tx[key] as unknown as Record<PropertyKey, (...a: unknown[]) => Promise<unknown>>
          return inner[name]!(...args)
        })
      },
    }) as Store[K]
  }
  return {
    experiments: part('experiments'),
    trials: part('trials'),
    observations: part('observations'),
    algorithmStates: part('algorithmStates'),
    events: part('events'),
    leases: store.leases,
    pushKeys: store.pushKeys,
    tombstones: store.tombstones,
    backend: store.backend,
    transaction: (work) => fenced(work),
    pendingMigrations: () => store.pendingMigrations(),
    destroy: () => store.destroy(),
  }
}
