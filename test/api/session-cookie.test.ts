import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../api/app.ts'
import type { Store } from '../../db/store.ts'
import { experimentYaml, postYaml, uniqueName } from '../helpers/test-app.ts'
import { openTestStore } from '../helpers/test-store.ts'

/**
 * The dashboard's sign-in cookie (api/routes/session.ts, plugins/auth.ts): exchanged for a bearer
 * token, HttpOnly and SameSite=Strict, good for reads; a change made with it alone must come from
 * the server's own page, so it adds no way in for another site's page (test/ui/serve-sign-in.test.ts
 * drives it from Chromium).
 */
describe('session cookie', () => {
  let store: Store
  let app: FastifyInstance
  const admin = 'admin-session-token-0123456789'
  const reader = 'reader-session-token-0123456789'
  const host = '127.0.0.1:8080'
  const name = uniqueName('cookie')

  before(async () => {
    store = await openTestStore()
    app = await buildApp({ store, tokens: [{ token: admin, role: 'admin' }, { token: reader, role: 'read' }], listenHost: '127.0.0.1' })
    assert.equal((await postYaml(app, experimentYaml(name, { template: false }), { authorization: `Bearer ${admin}` })).statusCode, 201)
  })
  after(async () => {
    await app?.close()
    await store?.destroy()
  })

  const signIn = async (token: string) => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/session', headers: { host, authorization: `Bearer ${token}`, origin: `http://${host}` } })
    assert.equal(response.statusCode, 204, response.body)
    const cookie = String(response.headers['set-cookie'])
    return { header: cookie, jar: cookie.split(';')[0]! }
  }

  test('a bearer token, admin or read-only, is exchanged for an HttpOnly, SameSite=Strict cookie that reads', async () => {
    const { header, jar } = await signIn(admin)
    assert.match(header, /^tunewell_token=admin-session-token-0123456789; Path=\/; HttpOnly; SameSite=Strict$/)
    assert.equal((await app.inject({ url: `/api/v1/experiments/${name}`, headers: { host, cookie: jar } })).statusCode, 200)
    assert.equal((await signIn(reader)).jar, `tunewell_token=${reader}`)
    const stale = await app.inject({ url: '/api/v1/experiments', headers: { host, cookie: 'tunewell_token=revoked-token-0123456789' } })
    assert.equal(stale.statusCode, 401)
    assert.match(stale.json().error.message, /signed in with is not valid/)
  })

  test('a change signed in by the cookie alone must come from the server\'s own page', async () => {
    const { jar } = await signIn(admin)
    const stop = (headers: Record<string, string>) => app.inject({ method: 'POST', url: `/api/v1/experiments/${name}:stop`, headers: { host, cookie: jar, ...headers } })
    const bare = await stop({})
    assert.equal(bare.statusCode, 403)
    assert.equal(bare.json().error.code, 'CROSS_ORIGIN')
    assert.equal((await stop({ origin: 'http://127.0.0.1:3000' })).statusCode, 403, 'another port of the same site')
    assert.equal((await stop({ 'sec-fetch-site': 'same-site' })).statusCode, 403)
    assert.equal((await stop({ origin: `http://${host}` })).statusCode, 200, 'the dashboard\'s own page')
    const read = (await signIn(reader)).jar
    const refused = await app.inject({ method: 'POST', url: `/api/v1/experiments/${name}:resume`, headers: { host, cookie: read, origin: `http://${host}` } })
    assert.equal(refused.statusCode, 403)
    assert.equal(refused.json().error.code, 'FORBIDDEN', 'a read-only sign-in changes nothing')
  })

  test('the cookie cannot renew itself, and signing out expires it', async () => {
    const { jar } = await signIn(admin)
    const renew = await app.inject({ method: 'POST', url: '/api/v1/session', headers: { host, cookie: jar, origin: `http://${host}` } })
    assert.equal(renew.statusCode, 400)
    const out = await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { host, cookie: jar, origin: `http://${host}` } })
    assert.equal(out.statusCode, 204)
    assert.match(String(out.headers['set-cookie']), /^tunewell_token=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/)
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/session', headers: { host } })).statusCode, 401, 'no token, no sign-in')
  })
})
