import { Migrator, sql, type Kysely, type Migration } from 'kysely'
import { TunewellError } from '../core/errors.ts'
import * as initial from './migrations/0001-initial.ts'
import * as pushSigningKey from './migrations/0002-push-signing-key.ts'
import * as kubeTombstones from './migrations/0003-kube-tombstones.ts'
import * as textMetricValues from './migrations/0004-text-metric-values.ts'

/** Every migration, in order. Listed by hand: no directory scanning, so bundling cannot lose one. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-push-signing-key': pushSigningKey,
  '0003-kube-tombstones': kubeTombstones,
  '0004-text-metric-values': textMetricValues,
}

/**
 * Brings the database (the first schema on its search_path) up to the latest migration. Safe to
 * call on every start. Throws TunewellError('DATABASE_UNAVAILABLE') naming the failed migration.
 * `list` is for tests that need a failing migration.
 */
export async function migrateToLatest(
  db: Kysely<any>,
  list: Readonly<Record<string, Migration>> = migrations,
): Promise<void> {
  const migrator = await migratorFor(db, list)
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error === undefined) return
  const failed = results.find((r) => r.status === 'Error')?.migrationName
  const reason = error instanceof Error ? error.message : String(error)
  const unknown = /previously executed migration (\S+) is missing/.exec(reason)?.[1]
  if (unknown) {
    // A schema written by another version: one from before 0.1's single initial migration, or a
    // newer Tunewell's. Migrating it either way could lose data, so nothing is touched.
    throw new TunewellError(
      'DATABASE_UNAVAILABLE',
      `this database's schema was made by another version of Tunewell (it records migration "${unknown}", ` +
        `which this version does not know; this version knows ${Object.keys(list).join(', ')}). ` +
        'Use the Tunewell that made it, or point this one at a new database (a new DATABASE_URL, or another --data-dir).',
      { cause: error },
    )
  }
  throw new TunewellError(
    'DATABASE_UNAVAILABLE',
    failed
      ? // Kysely runs a batch in one transaction on PostgreSQL, so nothing of this batch stuck.
        `database migration "${failed}" failed, nothing was changed: ${reason}`
      : `database migrations could not run: ${reason}`,
    { cause: error },
  )
}

/** Migrations of `list` not yet applied to the database (the first schema on its search_path). */
export async function pendingMigrations(
  db: Kysely<any>,
  list: Readonly<Record<string, Migration>> = migrations,
): Promise<string[]> {
  const migrator = await migratorFor(db, list)
  return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name)
}

async function migratorFor(db: Kysely<any>, list: Readonly<Record<string, Migration>>): Promise<Migrator> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)
  const schema = rows[0]?.schema
  if (!schema) {
    throw new TunewellError('DATABASE_UNAVAILABLE', 'cannot migrate: the search_path names no existing schema')
  }
  // Pin the bookkeeping tables to that schema: without it Kysely looks for `kysely_migration`
  // in every schema and would take another schema's table (say a test's) for ours.
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...list }) },
    migrationTableSchema: schema,
  })
}
