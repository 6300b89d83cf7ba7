import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { matchToken, parseTokensFile } from '../../api/access-tokens.ts'
import { buildApp } from '../../api/app.ts'
import type { ErrorBody } from '../../api/schemas/common.ts'
import { algorithmNames } from '../../algorithms/index.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

/** Everything but experiments and trials: auth, probes, algorithms, the API description, limits, real HTTP. */
let t: TestApp
before(async () => {
  t = await openTestApp()
})
after(async () => {
  await t?.close()
})

const errorOf = (body: string) => (JSON.parse(body) as ErrorBody).error

describe('bearer tokens', () => {
  const tokens = [{ token: 'admin-secret-token', role: 'admin' as const }, { token: 'reader-token-1234', role: 'read' as const }]

  test('without a valid token: 401 with WWW-Authenticate; probes and the API description stay open', async () => {
    const app = await buildApp({ store: t.store, tokens })
    try {
      const none = await app.inject({ method: 'GET', url: '/api/v1/experiments' })
      assert.equal(none.statusCode, 401)
      assert.equal(errorOf(none.body).code, 'UNAUTHORIZED')
      assert.match(String(none.headers['www-authenticate']), /^Bearer/)
      const wrong = await app.inject({ method: 'GET', url: '/api/v1/experiments', headers: { authorization: 'Bearer admin-secret-tokeN' } })
      assert.equal(wrong.statusCode, 401)
      const scheme = await app.inject({ method: 'GET', url: '/api/v1/experiments', headers: { authorization: 'Basic admin-secret-token' } })
      assert.equal(scheme.statusCode, 401)
      const unknownRoute = await app.inject({ method: 'GET', url: '/api/v1/secret-route' })
      assert.equal(unknownRoute.statusCode, 401, 'routes are not discoverable without a token')
      for (const url of ['/healthz', '/readyz', '/api/v1/openapi.json', '/docs']) {
        const res = await app.inject({ method: 'GET', url })
        assert.ok(res.statusCode === 200 || res.statusCode === 302, `${url}: ${res.statusCode}`)
      }
      assert.equal((await app.inject({ method: 'POST', url: '/healthz' })).statusCode, 401, 'only reads of public paths are open')
    } finally {
      await app.close()
    }
  })

  test('an admin token may do everything; a read token only GET (403 otherwise)', async () => {
    const app = await buildApp({ store: t.store, tokens })
    try {
      const admin = { authorization: 'Bearer admin-secret-token' }
      const reader = { authorization: 'bearer   reader-token-1234' }
      const name = uniqueName('auth')
      assert.equal((await postYaml(app, experimentYaml(name), admin)).statusCode, 201)
      assert.equal((await app.inject({ method: 'GET', url: `/api/v1/experiments/${name}`, headers: reader })).statusCode, 200)
      assert.equal((await app.inject({ method: 'GET', url: `/api/v1/experiments/${name}/trials`, headers: reader })).statusCode, 200)
      const write = await postYaml(app, experimentYaml(uniqueName('auth')), reader)
      assert.equal(write.statusCode, 403)
      assert.equal(errorOf(write.body).code, 'FORBIDDEN')
      for (const [method, url] of [['PATCH', `/api/v1/experiments/${name}`], ['POST', `/api/v1/experiments/${name}:stop`], ['DELETE', `/api/v1/experiments/${name}`]] as const) {
        const res = await app.inject({ method, url, headers: { ...reader, 'content-type': 'application/json' }, payload: '{}' })
        assert.equal(res.statusCode, 403, `${method} ${url}`)
      }
      assert.equal((await t.store.experiments.getByName(name))?.state, 'Created')
      assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/experiments/${name}`, headers: admin })).statusCode, 204)
    } finally {
      await app.close()
    }
  })

  test('a tokens file: one `<token> admin|read` per line, comments allowed, problems with their line', () => {
    const ok = parseTokensFile('# team tokens\nabc123 admin\n\n  def456   read  # CI\n')
    assert.deepEqual(ok, { tokens: [{ token: 'abc123', role: 'admin' }, { token: 'def456', role: 'read' }], issues: [] })
    const bad = parseTokensFile('abc admin\nabc read\nxyz owner\nlonely\n')
    assert.deepEqual(bad.issues.map((i) => i.line), [2, 3, 4])
  })

  test('matching compares every token and tells roles apart', () => {
    assert.equal(matchToken(tokens, 'admin-secret-token'), 'admin')
    assert.equal(matchToken(tokens, 'reader-token-1234'), 'read')
    assert.equal(matchToken(tokens, 'reader-token-123'), undefined)
    assert.equal(matchToken(tokens, ''), undefined)
    assert.equal(matchToken([], 'anything'), undefined)
  })
})

describe('operations', () => {
  test('/healthz answers; /readyz checks the database and its migrations', async () => {
    assert.deepEqual(JSON.parse((await t.app.inject({ method: 'GET', url: '/healthz' })).body), { status: 'ok' })
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' })
    assert.equal(ready.statusCode, 200)
    assert.deepEqual(JSON.parse(ready.body), { status: 'ready', database: t.store.backend })
    const behind = await buildApp({ store: { ...t.store, backend: t.store.backend, pendingMigrations: async () => ['0099-future'] } })
    const down = await buildApp({ store: { ...t.store, backend: t.store.backend, pendingMigrations: async () => { throw new Error('connect ECONNREFUSED 10.0.0.1:5432 password=hunter2') } } })
    try {
      const notMigrated = await behind.inject({ method: 'GET', url: '/readyz' })
      assert.equal(notMigrated.statusCode, 503)
      assert.match(errorOf(notMigrated.body).message, /0099-future/)
      const unreachable = await down.inject({ method: 'GET', url: '/readyz' })
      assert.equal(unreachable.statusCode, 503)
      assert.equal(errorOf(unreachable.body).code, 'NOT_READY')
      assert.doesNotMatch(unreachable.body, /hunter2|10\.0\.0\.1/, 'a public probe does not leak connection details')
    } finally {
      await behind.close()
      await down.close()
    }
  })

  test('/api/v1/algorithms lists every registered algorithm with its settings schema', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/algorithms' })
    assert.equal(res.statusCode, 200)
    const { items, planned } = JSON.parse(res.body) as { items: { name: string; description: string; settings: { name: string; type: string; required: boolean }[] }[]; planned: string[] }
    assert.deepEqual(items.map((a) => a.name).sort(), [...algorithmNames()].sort())
    const random = items.find((a) => a.name === 'random')!
    assert.ok(random.description.length > 0)
    const seed = random.settings.find((s) => s.name === 'random_state')!
    assert.equal(seed.type, 'int')
    assert.equal(seed.required, false)
    assert.ok(Array.isArray(planned))
    const nas = (JSON.parse(res.body) as { architectureSearches: { name: string; settings: { name: string }[] }[] }).architectureSearches
    assert.deepEqual(nas.map((a) => a.name), ['darts', 'enas', 'evolution', 'random'])
    assert.ok(nas.find((a) => a.name === 'enas')!.settings.some((s) => s.name === 'controller_hidden_size'))
  })

  test('the OpenAPI document describes every route with its schemas; /docs serves Swagger UI', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
    assert.equal(res.statusCode, 200)
    const doc = JSON.parse(res.body) as { openapi: string; paths: Record<string, Record<string, { parameters?: { name: string }[]; requestBody?: { content: Record<string, unknown> } }>> }
    assert.match(doc.openapi, /^3\./)
    for (const [path, method] of [
      ['/api/v1/experiments', 'post'], ['/api/v1/experiments', 'get'], ['/api/v1/experiments/{name}', 'get'],
      ['/api/v1/experiments/{name}', 'patch'], ['/api/v1/experiments/{name}', 'delete'], ['/api/v1/experiments/{name}:stop', 'post'],
      ['/api/v1/experiments/{name}:resume', 'post'], ['/api/v1/experiments/{name}/trials', 'get'],
      ['/api/v1/experiments/{name}/trials/{trial}', 'get'], ['/api/v1/experiments/{name}/trials/{trial}:kill', 'post'],
      ['/api/v1/experiments/{name}/trials/{trial}/logs', 'get'], ['/api/v1/experiments/{name}/trials:export', 'get'], ['/api/v1/algorithms', 'get'], ['/healthz', 'get'], ['/readyz', 'get'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} is documented`)
    }
    assert.deepEqual(doc.paths['/api/v1/experiments/{name}:stop']!.post!.parameters!.map((p) => p.name), ['name'])
    assert.ok(doc.paths['/api/v1/experiments']!.post!.requestBody!.content['application/yaml'])
    const docs = await t.app.inject({ method: 'GET', url: '/docs' })
    assert.ok(docs.statusCode === 200 || docs.statusCode === 302)
  })

  test('unknown routes are 404 JSON; a body over the limit is 413', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v2/experiments' })
    assert.equal(res.statusCode, 404)
    assert.equal(errorOf(res.body).code, 'ROUTE_NOT_FOUND')
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/experiments/x:explode' })).statusCode, 404)
    const small = await buildApp({ store: t.store, bodyLimit: 2048 })
    try {
      const big = await postYaml(small, `${experimentYaml(uniqueName('big'))}\n# ${'x'.repeat(4096)}\n`)
      assert.equal(big.statusCode, 413)
      assert.equal(errorOf(big.body).code, 'BODY_TOO_LARGE')
    } finally {
      await small.close()
    }
  })

  test('an unexpected failure is 500 with a generic message, details only in the log', async () => {
    const broken = await buildApp({
      store: { ...t.store, backend: t.store.backend, pendingMigrations: t.store.pendingMigrations, experiments: { ...t.store.experiments, page: async () => { throw new TypeError('secret internals at db.ts:12') } } },
    })
    try {
      const res = await broken.inject({ method: 'GET', url: '/api/v1/experiments' })
      assert.equal(res.statusCode, 500)
      assert.equal(errorOf(res.body).code, 'INTERNAL')
      assert.doesNotMatch(res.body, /secret internals/)
    } finally {
      await broken.close()
    }
  })
})

describe('over real HTTP', () => {
  test('listen on port 0 and use the API with fetch', async () => {
    const app = await buildApp({ store: t.store, tokens: [{ token: 'http-token-0001', role: 'admin' }] })
    try {
      await app.listen({ host: '127.0.0.1', port: 0 })
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
      const auth = { authorization: 'Bearer http-token-0001' }
      assert.equal((await fetch(`${base}/healthz`)).status, 200)
      assert.equal((await fetch(`${base}/api/v1/experiments`)).status, 401)
      const name = uniqueName('http')
      const created = await fetch(`${base}/api/v1/experiments`, { method: 'POST', headers: { ...auth, 'content-type': 'application/yaml' }, body: experimentYaml(name) })
      assert.equal(created.status, 201)
      assert.equal(created.headers.get('location'), `/api/v1/experiments/${name}`)
      const got = await fetch(`${base}/api/v1/experiments/${name}`, { headers: auth })
      assert.equal(got.status, 200)
      assert.equal(((await got.json()) as { status: { state: string } }).status.state, 'Created')
      const patched = await fetch(`${base}/api/v1/experiments/${name}`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/merge-patch+json' }, body: '{"spec":{"maxTrialCount":30}}' })
      assert.equal(patched.status, 200)
      const stopped = await fetch(`${base}/api/v1/experiments/${name}:stop`, { method: 'POST', headers: auth })
      assert.equal(stopped.status, 200)
      const bad = await fetch(`${base}/api/v1/experiments`, { method: 'POST', headers: { ...auth, 'content-type': 'application/yaml' }, body: 'kind: [' })
      assert.equal(bad.status, 422)
      assert.match(bad.headers.get('content-type') ?? '', /application\/json/)
      assert.equal((await fetch(`${base}/api/v1/experiments/${name}`, { method: 'DELETE', headers: auth })).status, 204)
    } finally {
      await app.close()
    }
  })
})
