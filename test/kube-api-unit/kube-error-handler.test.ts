import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify, { type FastifyInstance } from 'fastify'
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { InvalidSpecError, TunewellError } from '../../core/errors.ts'
import { registerAuth } from '../../api/plugins/auth.ts'
import { registerErrorHandler } from '../../api/plugins/error-handler.ts'
import { conflict } from '../../api/kube/kube-status.ts'

const GROUP = '/apis/kubeflow.org/v1beta1/namespaces/default/experiments'

/**
 * The error handler's kube branch, on a bare Fastify with the app's error handler and auth: every
 * failure on a kube path is a Status, while the REST API keeps its `{ error }` body.
 */
describe('errors on kube paths are Kubernetes Status objects', () => {
  let app: FastifyInstance
  before(async () => {
    app = Fastify()
    app.setValidatorCompiler(TypeBoxValidatorCompiler)
    registerErrorHandler(app)
    registerAuth(app, { tokens: [{ token: 'admin-token', role: 'admin' }, { token: 'read-token', role: 'read' }], publicPaths: [] })
    app.get(`${GROUP}/:name`, async (request) => {
      const { name } = request.params as { name: string }
      if (name === 'invalid') throw new InvalidSpecError([{ path: '/spec/maxTrialCount', message: 'must be > 0' }, { path: '/spec/parameters/1/name', message: 'is required' }])
      if (name === 'exists') throw new TunewellError('EXPERIMENT_EXISTS', 'experiment "exists" already exists')
      if (name === 'stale') throw conflict('experiments', name)
      if (name === 'down') throw new TunewellError('DATABASE_UNAVAILABLE', 'connection refused')
      if (name === 'bug') throw new Error('a bug with secrets in its message')
      throw new TunewellError('EXPERIMENT_NOT_FOUND', `experiment "${name}" not found`)
    })
    app.post(GROUP, { schema: { querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1 })) }) } }, async () => {
      throw new InvalidSpecError([{ path: '/spec/objective', message: 'is required' }])
    })
    app.get('/api/v1/experiments/:name', async () => {
      throw new TunewellError('EXPERIMENT_NOT_FOUND', 'experiment "x" not found')
    })
    await app.ready()
  })
  after(() => app.close())

  const admin = { authorization: 'Bearer admin-token' }
  const get = (url: string, headers: Record<string, string> = admin) => app.inject({ method: 'GET', url, headers })

  const assertStatus = (response: { statusCode: number; json(): unknown; headers: Record<string, unknown> }, code: number, reason: string) => {
    assert.equal(response.statusCode, code)
    assert.match(String(response.headers['content-type']), /^application\/json/)
    const body = response.json() as Record<string, unknown>
    assert.equal(body.kind, 'Status')
    assert.equal(body.apiVersion, 'v1')
    assert.equal(body.status, 'Failure')
    assert.equal(body.code, code)
    assert.equal(body.reason, reason)
    return body as { message: string; details?: { name?: string; kind?: string; group?: string; causes?: { reason: string; field: string; message: string }[] } }
  }

  test('a missing experiment is NotFound naming it', async () => {
    const body = assertStatus(await get(`${GROUP}/mnist`), 404, 'NotFound')
    assert.equal(body.message, 'experiments.kubeflow.org "mnist" not found')
    assert.deepEqual(body.details, { name: 'mnist', group: 'kubeflow.org', kind: 'experiments' })
  })

  test('an invalid spec is 422 Invalid with each field as a cause in Kubernetes path form', async () => {
    const body = assertStatus(await get(`${GROUP}/invalid`), 422, 'Invalid')
    assert.deepEqual(body.details?.causes, [
      { reason: 'FieldValueInvalid', field: 'spec.maxTrialCount', message: 'must be > 0' },
      { reason: 'FieldValueInvalid', field: 'spec.parameters[1].name', message: 'is required' },
    ])
    assert.match(body.message, /^Experiment\.kubeflow\.org "invalid" is invalid: \[spec\.maxTrialCount: must be > 0, spec\.parameters\[1\]\.name: is required\]$/)
  })

  test('on a create the name comes from the body', async () => {
    const response = await app.inject({ method: 'POST', url: GROUP, headers: admin, payload: { metadata: { name: 'from-body' } } })
    const body = assertStatus(response, 422, 'Invalid')
    assert.equal(body.details?.name, 'from-body')
  })

  test('a name taken is AlreadyExists; a KubeError passes as it is', async () => {
    assertStatus(await get(`${GROUP}/exists`), 409, 'AlreadyExists')
    const body = assertStatus(await get(`${GROUP}/stale`), 409, 'Conflict')
    assert.match(body.message, /the object has been modified/)
  })

  test('the database away is 503 ServiceUnavailable with Retry-After; our bug is 500 without its message', async () => {
    const down = await get(`${GROUP}/down`)
    assertStatus(down, 503, 'ServiceUnavailable')
    assert.ok(down.headers['retry-after'])
    const bug = await get(`${GROUP}/bug`)
    const body = assertStatus(bug, 500, 'InternalError')
    assert.doesNotMatch(body.message, /secrets/)
  })

  test('request-schema failures, malformed JSON and wrong media types are 400/415 Status', async () => {
    const query = assertStatus(await app.inject({ method: 'POST', url: `${GROUP}?limit=0`, headers: admin, payload: {} }), 400, 'BadRequest')
    assert.match(query.message, /limit/)
    const json = await app.inject({ method: 'POST', url: GROUP, headers: { ...admin, 'content-type': 'application/json' }, payload: '{"metadata": ' })
    assertStatus(json, 400, 'BadRequest')
    const media = await app.inject({ method: 'POST', url: GROUP, headers: { ...admin, 'content-type': 'application/x-unknown' }, payload: 'x' })
    assertStatus(media, 415, 'UnsupportedMediaType')
  })

  test('401 without a token and 403 for a read-only write are Status objects (Unauthorized, Forbidden)', async () => {
    const anonymous = await get(`${GROUP}/mnist`, {})
    assertStatus(anonymous, 401, 'Unauthorized')
    assert.ok(anonymous.headers['www-authenticate'])
    assertStatus(await get(`${GROUP}/mnist`, { authorization: 'Bearer wrong' }), 401, 'Unauthorized')
    const write = await app.inject({ method: 'POST', url: GROUP, headers: { authorization: 'Bearer read-token' }, payload: {} })
    assertStatus(write, 403, 'Forbidden')
  })

  test('an unknown kube path is NotFound as a server answers it', async () => {
    for (const url of ['/apis/kubeflow.org/v1beta1/namespaces/default/widgets', '/api/v1/namespaces/default/pods', '/openapi/v3/apis/nothing']) {
      const body = assertStatus(await get(url), 404, 'NotFound')
      assert.equal(body.message, 'the server could not find the requested resource')
    }
  })

  test('the REST API keeps its own error body', async () => {
    const rest = await get('/api/v1/experiments/x')
    assert.equal(rest.statusCode, 404)
    assert.equal((rest.json() as { error: { code: string } }).error.code, 'EXPERIMENT_NOT_FOUND')
    const unknown = await get('/api/v1/nothing')
    assert.equal((unknown.json() as { error: { code: string } }).error.code, 'ROUTE_NOT_FOUND')
  })
})
