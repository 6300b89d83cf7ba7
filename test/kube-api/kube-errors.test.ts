import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { openTestApp, type TestApp } from '../helpers/test-app.ts'

const EXPERIMENTS = '/apis/kubeflow.org/v1beta1/namespaces/default/experiments'

/**
 * The whole app (api/app.ts: auth, host guard, error handler, the kube plugin) answers failures
 * on kube paths with a Kubernetes Status and keeps its `{ error }` body on the REST API's.
 */
describe('the app answers kube-path failures with Status objects', () => {
  let t: TestApp
  before(async () => {
    t = await openTestApp({ tokens: [{ token: 'admin-token', role: 'admin' }, { token: 'read-token', role: 'read' }] })
  })
  after(() => t?.close())

  const statusOf = (response: { statusCode: number; json(): unknown }) => {
    const body = response.json() as { kind?: string; code?: number; reason?: string; message?: string }
    assert.equal(body.kind, 'Status', JSON.stringify(body))
    assert.equal(body.code, response.statusCode)
    return body
  }

  test('no token: 401 Unauthorized on every kube path, the REST API keeps its body', async () => {
    for (const url of ['/version', '/apis', `${EXPERIMENTS}/x`, '/api/v1/namespaces']) {
      const response = await t.app.inject({ method: 'GET', url })
      assert.equal(response.statusCode, 401, url)
      assert.equal(statusOf(response).reason, 'Unauthorized')
    }
    const rest = await t.app.inject({ method: 'GET', url: '/api/v1/experiments' })
    assert.equal(rest.statusCode, 401)
    assert.equal((rest.json() as { error: { code: string } }).error.code, 'UNAUTHORIZED')
  })

  test('a read-only token writing: 403 Forbidden', async () => {
    const response = await t.app.inject({ method: 'POST', url: EXPERIMENTS, headers: { authorization: 'Bearer read-token' }, payload: {} })
    assert.equal(response.statusCode, 403)
    assert.equal(statusOf(response).reason, 'Forbidden')
  })

  test('a Host header a web page may have sent: 403 Forbidden Status', async () => {
    const response = await t.app.inject({ method: 'GET', url: `${EXPERIMENTS}/x`, headers: { authorization: 'Bearer admin-token', host: 'evil.example.com' } })
    assert.equal(response.statusCode, 403)
    assert.equal(statusOf(response).reason, 'Forbidden')
  })

  test('an unknown resource is NotFound as a server says it; the REST API keeps its body', async () => {
    const headers = { authorization: 'Bearer admin-token' }
    const unknown = await t.app.inject({ method: 'GET', url: '/apis/kubeflow.org/v1beta1/namespaces/default/widgets', headers })
    assert.equal(unknown.statusCode, 404)
    const body = statusOf(unknown)
    assert.equal(body.reason, 'NotFound')
    assert.equal(body.message, 'the server could not find the requested resource')
    const rest = await t.app.inject({ method: 'GET', url: '/api/v1/no-such-route', headers })
    assert.equal((rest.json() as { error: { code: string } }).error.code, 'ROUTE_NOT_FOUND')
  })
})
