import { sql, type Kysely } from 'kysely'

/**
 * `push_signing_keys`: the key that signs the bearer tokens of pushed metrics
 * (metrics-collector/push-tokens.ts). One row, made by the first controller that needs it
 * (db/kysely/kysely-push-key-store.ts): every controller replica on this database signs and
 * checks with it, so a token handed out by one is good at any other and after a restart. The
 * tokens themselves are never stored; each trial's Secret carries its own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table push_signing_keys (
    id smallint primary key check (id = 1),
    key bytea not null check (octet_length(key) >= 32),
    created_at timestamptz not null default now()
  )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table push_signing_keys`.execute(db)
}
