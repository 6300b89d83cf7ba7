import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { isDatabaseUnavailable } from '../../db/is-database-unavailable.ts'
import { openStore } from '../../db/open-store.ts'
import type { Store } from '../../db/store.ts'
import { findPostgresBin, startScratchPostgres, type ScratchPostgres } from '../helpers/scratch-postgres.ts'
import { opaqueSpec } from '../helpers/opaque-spec.ts'

// A cluster of this test's own: stopping the machine's shared server would break everyone else.
describe('a PostgreSQL restart under an open store', { skip: findPostgresBin() ? false : 'no PostgreSQL server binaries here' }, () => {
  let pg: ScratchPostgres
  let store: Store

  before(async () => {
    pg = await startScratchPostgres()
    store = await openStore({ url: pg.url })
  })
  after(async () => {
    await store?.destroy().catch(() => {})
    await pg?.destroy()
  })

  test('a transaction in flight fails with a retryable error, the process survives, and the store works again after the restart', async () => {
    const created = await store.experiments.create({ name: `restart-${randomUUID().slice(0, 8)}`, spec: opaqueSpec({}), seed: 1 })
    // The connection is checked out (inside the transaction) while the server goes away: this is
    // where node-postgres emits 'error' on the client, which used to crash the process.
    const inFlight = store.transaction(async (tx) => {
      await tx.experiments.lock(created.id)
      await sleep(1500)
      return tx.experiments.get(created.id)
    })
    await sleep(300)
    await pg.stop()
    const error = await inFlight.then(() => assert.fail('the transaction should fail'), (e: unknown) => e)
    assert.ok(isDatabaseUnavailable(error), `not classified as unavailable: ${String(error)}`)
    const whileDown = await store.experiments.get(created.id).then(() => assert.fail('no server'), (e: unknown) => e)
    assert.ok(isDatabaseUnavailable(whileDown), `not classified as unavailable: ${String(whileDown)}`)
    await pg.start()
    // The pool drops the broken connections and opens new ones.
    assert.equal((await store.experiments.get(created.id))?.name, created.name)
    // Several statements at once: every pooled connection is a new, working one.
    const again = await Promise.all(Array.from({ length: 8 }, () => store.experiments.get(created.id)))
    assert.ok(again.every((e) => e?.id === created.id))
  })

  test('idle connections dropped by a restart are replaced without an error reaching the caller', async () => {
    const created = await store.experiments.create({ name: `idle-${randomUUID().slice(0, 8)}`, spec: opaqueSpec({}), seed: 1 })
    await Promise.all(Array.from({ length: 4 }, () => store.experiments.get(created.id)))
    await pg.stop()
    await pg.start()
    let got
    for (let i = 0; i < 3 && got === undefined; i++) {
      got = await store.experiments.get(created.id).catch((e: unknown) => {
        assert.ok(isDatabaseUnavailable(e), String(e))
        return undefined
      })
    }
    assert.equal(got?.id, created.id)
  })
})
