import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { TunewellError } from '../../core/errors.ts'
import { openStore, resolveStoreOptions } from '../../db/open-store.ts'

async function unavailable(open: Promise<unknown>): Promise<{ message: string; ms: number }> {
  const started = Date.now()
  const error = await open.then(
    () => assert.fail('expected openStore to fail'),
    (e: unknown) => e,
  )
  assert.ok(error instanceof TunewellError, `expected a TunewellError, got ${String(error)}`)
  assert.equal(error.code, 'DATABASE_UNAVAILABLE')
  return { message: error.message, ms: Date.now() - started }
}

describe('openStore on PostgreSQL that cannot be used', () => {
  test('a refused connection names host:port, hides the password and says how to fix it', async () => {
    const { message, ms } = await unavailable(openStore({ url: 'postgres://postgres:s3cret@127.0.0.1:1/test' }))
    assert.match(message, /127\.0\.0\.1:1\b/)
    assert.match(message, /connection refused/)
    assert.match(message, /Start PostgreSQL/)
    assert.match(message, /unset DATABASE_URL to use the embedded database/)
    assert.doesNotMatch(message, /s3cret/)
    assert.ok(ms < 3000, `took ${ms} ms`)
  })

  test('a server that never answers times out', async () => {
    const sockets = new Set<Socket>()
    const server = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    try {
      const { message, ms } = await unavailable(
        openStore({ url: `postgres://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 500 }),
      )
      assert.match(message, new RegExp(`127\\.0\\.0\\.1:${port}.*no answer within 0\\.5 s`))
      assert.ok(ms < 3000, `took ${ms} ms`)
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  const url = process.env.DATABASE_URL?.trim()
  test('a missing database says how to create it', { skip: url ? false : 'needs DATABASE_URL' }, async () => {
    const missing = new URL(url!)
    missing.pathname = '/tunewell_no_such_database'
    const { message } = await unavailable(openStore({ url: missing.toString() }))
    assert.match(message, /database "tunewell_no_such_database" does not exist/)
    assert.match(message, /createdb tunewell_no_such_database/)
  })

  test('a schema name that is not a plain identifier is refused before connecting', async () => {
    await assert.rejects(openStore({ url: 'postgres://127.0.0.1:1/test', schema: 'x; drop' }), /lowercase SQL identifier/)
  })
})

describe('resolveStoreOptions', () => {
  test('DATABASE_URL selects PostgreSQL, otherwise the embedded database under the home folder', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test'
    assert.deepEqual(resolveStoreOptions({ DATABASE_URL: url }, 'h'), { url })
    assert.deepEqual(resolveStoreOptions({}, join('w', '.tunewell')), { dataDir: join('w', '.tunewell', 'db') })
    assert.deepEqual(resolveStoreOptions({ DATABASE_URL: ' ' }, 'h'), { dataDir: join('h', 'db') })
  })

  test('openStore without a location is a programming error', async () => {
    await assert.rejects(openStore({}), /url, dataDir, memory/)
  })
})
