import type { Kysely } from 'kysely'
import { pendingMigrations } from './migrate.ts'
import type { Database } from './schema.ts'
import type { Store } from './store.ts'
import { KyselyAlgorithmStateStore } from './kysely/kysely-algorithm-state-store.ts'
import { KyselyEventStore } from './kysely/kysely-event-store.ts'
import { KyselyExperimentStore } from './kysely/kysely-experiment-store.ts'
import { KyselyLeaseStore } from './kysely/kysely-lease-store.ts'
import { KyselyPushKeyStore } from './kysely/kysely-push-key-store.ts'
import { KyselyObservationStore } from './kysely/kysely-observation-store.ts'
import { KyselyTrialStore } from './kysely/kysely-trial-store.ts'
import { KyselyTombstoneStore } from './kysely/kysely-tombstone-store.ts'

export interface KyselyStoreOptions {
  readonly backend: Store['backend']
  /** Runs after the connection is closed (e.g. release a data-dir lock). */
  readonly onDestroy?: () => Promise<void>
}

/**
 * The one Store implementation; PGlite and PostgreSQL run the same SQL. Build it with
 * `openStore()`, which also migrates and sets up int8 parsing.
 */
export class KyselyStore implements Store {
  readonly experiments: KyselyExperimentStore
  readonly trials: KyselyTrialStore
  readonly observations: KyselyObservationStore
  readonly algorithmStates: KyselyAlgorithmStateStore
  readonly events: KyselyEventStore
  readonly leases: KyselyLeaseStore
  readonly pushKeys: KyselyPushKeyStore
  readonly tombstones: KyselyTombstoneStore
  readonly backend: Store['backend']
  readonly #db: Kysely<Database>
  readonly #options: KyselyStoreOptions
  #destroyed = false

  constructor(db: Kysely<Database>, options: KyselyStoreOptions) {
    this.#db = db
    this.#options = options
    this.backend = options.backend
    this.experiments = new KyselyExperimentStore(db)
    this.trials = new KyselyTrialStore(db, this)
    this.observations = new KyselyObservationStore(db)
    this.algorithmStates = new KyselyAlgorithmStateStore(db)
    this.events = new KyselyEventStore(db)
    this.leases = new KyselyLeaseStore(db)
    this.pushKeys = new KyselyPushKeyStore(db)
    this.tombstones = new KyselyTombstoneStore(db)
  }

  /**
   * Commits when `work` resolves, rolls back when it throws. Use only the store passed to
   * `work` inside it: on PGlite there is one connection, so a query through the outer store
   * would wait for this transaction to end and never run.
   */
  async transaction<T>(work: (store: KyselyStore) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return work(this)
    return this.#db.transaction().execute((trx) => work(new KyselyStore(trx, { backend: this.backend })))
  }

  pendingMigrations(): Promise<string[]> {
    return pendingMigrations(this.#db)
  }

  /** Closes the pool or PGlite. A second call does nothing (shutdown paths often overlap). */
  async destroy(): Promise<void> {
    if (this.#db.isTransaction) throw new Error('destroy() called on a transaction-bound store')
    if (this.#destroyed) return
    this.#destroyed = true
    try {
      await this.#db.destroy()
    } finally {
      await this.#options.onDestroy?.()
    }
  }
}
