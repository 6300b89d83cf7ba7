import { sql, type Kysely } from 'kysely'

/**
 * One controller per experiment (docs/reliability.md, "One controller per experiment"): the
 * row of an experiment's lease. Whoever holds an unexpired lease drives the experiment; every
 * acquisition increments `epoch`, the fencing token its writes are checked against
 * (kysely/kysely-lease-store.ts). The row is never deleted while its experiment exists, so
 * epochs only grow; a released lease keeps its holder (for messages) with `expires_at` in 1970.
 * `holder` says who it is (host, pid, process start time, command), for messages and for taking
 * over at once from a holder on the same machine whose process is gone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table experiment_leases (
      experiment_id text primary key references experiments (id) on delete cascade,
      holder_id text not null,
      holder jsonb not null,
      epoch bigint not null,
      acquired_at timestamptz not null,
      renewed_at timestamptz not null,
      expires_at timestamptz not null
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table experiment_leases`.execute(db)
}
