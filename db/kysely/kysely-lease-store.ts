import { sql, type Kysely } from 'kysely'
import type { Database } from '../schema.ts'
import type { LeaseAcquisition, LeaseFence, LeaseHolder, LeaseRecord, LeaseStore } from '../store.ts'
import { LeaseLostError } from '../lease-lost-error.ts'
import { experimentNotFound } from './kysely-experiment-store.ts'
import { isForeignKeyViolation } from './is-foreign-key-violation.ts'
import { toJsonb } from './mappers.ts'

interface LeaseRow {
  readonly experiment_id: string
  readonly holder_id: string
  readonly holder: LeaseHolder
  readonly epoch: number | string
  readonly acquired_at: Date
  readonly renewed_at: Date
  readonly expires_at: Date
  readonly remaining_ms: number
}

/** Every statement returns the row with its time left, by the database's clock. */
const RETURNING = sql.raw(`experiment_id, holder_id, holder, epoch, acquired_at, renewed_at, expires_at,
  (extract(epoch from (expires_at - now())) * 1000)::float8 as remaining_ms`)

const seconds = (ms: number) => ms / 1000

/**
 * Leases as rows of experiment_leases (migrations/0001-initial.ts). Each operation is
 * one statement, a compare-and-set on (holder_id, epoch); the fence (assertHeld) is a row lock
 * that an acquisition, which updates the row, must wait for.
 */
export class KyselyLeaseStore implements LeaseStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async acquire(
    experimentId: string,
    holderId: string,
    holder: LeaseHolder,
    ttlMs: number,
    takeOver?: { readonly holderId: string; readonly epoch: number },
  ): Promise<LeaseAcquisition> {
    // Released or expired between a failed attempt and the read of the holder: try again.
    for (let attempt = 0; ; attempt++) {
      const row = await this.#take(experimentId, holderId, holder, ttlMs, takeOver)
      if (row) return { acquired: true, lease: toRecord(row) }
      const current = await this.get(experimentId)
      if (!current) throw experimentNotFound(experimentId)
      if (current.remainingMs > 0 || attempt >= 2) return { acquired: false, lease: current }
    }
  }

  async #take(
    experimentId: string,
    holderId: string,
    holder: LeaseHolder,
    ttlMs: number,
    takeOver?: { readonly holderId: string; readonly epoch: number },
  ): Promise<LeaseRow | undefined> {
    try {
      // On a conflict the WHERE is judged on the row's newest version (after waiting for any
      // fenced transaction holding it): of two racing acquirers exactly one gets epoch + 1.
      const { rows } = await sql<LeaseRow>`
        insert into experiment_leases as l (experiment_id, holder_id, holder, epoch, acquired_at, renewed_at, expires_at)
        values (${experimentId}, ${holderId}, ${toJsonb(holder)}::jsonb, 1, now(), now(), now() + make_interval(secs => ${seconds(ttlMs)}::float8))
        on conflict (experiment_id) do update set
          holder_id = excluded.holder_id, holder = excluded.holder, epoch = l.epoch + 1,
          acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at, expires_at = excluded.expires_at
        where l.expires_at <= now() or (l.holder_id = ${takeOver?.holderId ?? null}::text and l.epoch = ${takeOver?.epoch ?? null}::bigint)
        returning ${RETURNING}`.execute(this.#db)
      return rows[0]
    } catch (error) {
      if (isForeignKeyViolation(error)) throw experimentNotFound(experimentId)
      throw error
    }
  }

  async renew(fence: LeaseFence, ttlMs: number): Promise<LeaseRecord | undefined> {
    const { rows } = await sql<LeaseRow>`
      update experiment_leases set renewed_at = now(), expires_at = now() + make_interval(secs => ${seconds(ttlMs)}::float8)
      where experiment_id = ${fence.experimentId} and holder_id = ${fence.holderId} and epoch = ${fence.epoch}
      returning ${RETURNING}`.execute(this.#db)
    return rows[0] && toRecord(rows[0])
  }

  async release(fence: LeaseFence): Promise<boolean> {
    // The holder stays for messages ("last held by"); 1970 is before any statement's now(),
    // even one that started before this release committed.
    const { rows } = await sql<{ experiment_id: string }>`
      update experiment_leases set expires_at = timestamptz 'epoch'
      where experiment_id = ${fence.experimentId} and holder_id = ${fence.holderId} and epoch = ${fence.epoch}
      returning experiment_id`.execute(this.#db)
    return rows.length > 0
  }

  async get(experimentId: string): Promise<LeaseRecord | undefined> {
    const { rows } = await sql<LeaseRow>`select ${RETURNING} from experiment_leases where experiment_id = ${experimentId}`.execute(this.#db)
    return rows[0] && toRecord(rows[0])
  }

  async assertHeld(fence: LeaseFence): Promise<void> {
    if (!this.#db.isTransaction) {
      // Outside a transaction the row lock would end with the check, before the write it guards.
      throw new Error('leases.assertHeld() must be called inside store.transaction()')
    }
    // FOR SHARE, not KEY SHARE: an acquisition updates non-key columns, which KEY SHARE allows.
    // A holder paused (SIGSTOP, a partition) inside the transaction would keep that lock, and
    // with it any takeover, for as long as it is paused: the server ends the transaction once
    // it has been idle too long (set for this transaction only).
    const idleMs = Math.round(Math.max(10_000, 3 * (fence.ttlMs ?? 20_000)))
    const { rows } = await sql<LeaseRow>`
      select ${RETURNING}, set_config('idle_in_transaction_session_timeout', ${String(idleMs)}, true) as idle_timeout
      from experiment_leases where experiment_id = ${fence.experimentId} for share`.execute(this.#db)
    const row = rows[0]
    const current = row && toRecord(row)
    if (current && current.holderId === fence.holderId && current.epoch === fence.epoch && current.remainingMs > 0) return
    throw new LeaseLostError(fence, current)
  }
}

function toRecord(row: LeaseRow): LeaseRecord {
  return {
    experimentId: row.experiment_id,
    holderId: row.holder_id,
    holder: row.holder,
    epoch: Number(row.epoch),
    acquiredAt: row.acquired_at,
    renewedAt: row.renewed_at,
    expiresAt: row.expires_at,
    remainingMs: Number(row.remaining_ms),
  }
}
