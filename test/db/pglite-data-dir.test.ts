import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, sql } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { TunewellError } from '../../core/errors.ts'
import { migrateToLatest, migrations } from '../../db/migrate.ts'
import { openStore } from '../../db/open-store.ts'
import { opaqueSpec } from '../helpers/opaque-spec.ts'

const root = mkdtempSync(join(tmpdir(), 'tunewell-db-'))
const dataDir = join(root, 'nested', 'db')
const lockFile = join(dataDir, 'tunewell.lock')

const unavailable = (message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof TunewellError, `expected a TunewellError, got ${String(error)}`)
  assert.equal(error.code, 'DATABASE_UNAVAILABLE')
  assert.match(error.message, message)
  return true
}

describe('embedded database on disk', () => {
  let experimentId: string
  before(async () => {
    const store = await openStore({ dataDir })
    try {
      const e = await store.experiments.create({ name: 'persisted', spec: opaqueSpec({ a: [1] }), seed: 7 })
      const [t] = await store.trials.createMany(e.id, [{ name: 'persisted-t0', params: { lr: 0.5 } }])
      await store.observations.append(t.id, [{ name: 'loss', step: 0, value: Number.NaN, at: new Date() }])
      experimentId = e.id
    } finally {
      await store.destroy()
    }
  })
  after(() => rmSync(root, { recursive: true, force: true }))

  test('data survives destroy and reopen; a second opener is refused meanwhile', async () => {
    assert.equal(existsSync(lockFile), false, 'destroy releases the lock')
    const store = await openStore({ dataDir })
    try {
      await assert.rejects(openStore({ dataDir }), unavailable(/in use by this process.*only one process may open it/))
      assert.equal(store.backend, 'pglite')
      const e = await store.experiments.getByName('persisted')
      assert.equal(e?.id, experimentId)
      assert.deepEqual(e?.spec, { a: [1] })
      const [t] = await store.trials.list(experimentId)
      assert.deepEqual(t.params, { lr: 0.5 })
      assert.ok(Number.isNaN((await store.observations.list(t.id))[0].value))
    } finally {
      await store.destroy()
    }
  })

  test('migrations are idempotent, and a failing one is named and changes nothing', async () => {
    const db = new Kysely<any>({ dialect: new PGliteDialect(await PGlite.create(dataDir)) })
    const applied = async () =>
      (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map((r) => r.name)
    const all = Object.keys(migrations).sort()
    try {
      assert.deepEqual(await applied(), all)
      await migrateToLatest(db)
      assert.deepEqual(await applied(), all)
      const broken = { up: async (k: Kysely<any>) => void (await sql`select * from no_such_table`.execute(k)) }
      await assert.rejects(
        migrateToLatest(db, { ...migrations, '9999-broken': broken }),
        unavailable(/database migration "9999-broken" failed.*no_such_table/),
      )
      assert.deepEqual(await applied(), all)
      // A schema from another version (here: one more migration than this version knows) is
      // refused with a message that says so, and left as it was.
      const later = { up: async (k: Kysely<any>) => void (await sql`create table later_version (id int)`.execute(k)) }
      await migrateToLatest(db, { ...migrations, '9998-later': later })
      await assert.rejects(
        migrateToLatest(db),
        unavailable(/made by another version of Tunewell.*"9998-later".*this version knows 0001-initial.*new database/),
      )
      assert.deepEqual(await applied(), [...all, '9998-later'])
      await sql`delete from kysely_migration where name = '9998-later'`.execute(db)
      await sql`drop table later_version`.execute(db)
    } finally {
      await db.destroy()
    }
  })

  test("another live process's lock is respected; a stale lock is taken over", async () => {
    // The parent process is alive: its lock must be respected.
    writeFileSync(lockFile, JSON.stringify({ pid: process.ppid, host: hostname() }))
    await assert.rejects(openStore({ dataDir }), unavailable(new RegExp(`in use by process ${process.ppid}.*delete `)))
    // A lock whose process has exited is stale.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!
    writeFileSync(lockFile, JSON.stringify({ pid: dead, host: hostname() }))
    const reopened = await openStore({ dataDir })
    await reopened.destroy()
    assert.equal(existsSync(lockFile), false)
  })

  test('a damaged folder gives a clear error and releases the lock', async () => {
    const damaged = join(root, 'damaged')
    cpSync(dataDir, damaged, { recursive: true })
    writeFileSync(join(damaged, 'global', 'pg_control'), 'not a control file')
    await assert.rejects(openStore({ dataDir: damaged }), unavailable(/could not be opened.*Move the folder aside/))
    assert.equal(existsSync(join(damaged, 'tunewell.lock')), false)
  })
})
