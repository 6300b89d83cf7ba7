import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { parse as parseYaml } from 'yaml'
import { experimentYaml, openTestApp, uniqueName, type ApiExperimentOptions, type TestApp } from '../helpers/test-app.ts'

const BASE = '/apis/kubeflow.org/v1beta1'
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'

type Json = Record<string, any>

function experimentJson(name: string, o: ApiExperimentOptions & { namespace?: string } = {}): Json {
  const document = parseYaml(experimentYaml(name, o)) as Json
  if (o.namespace) document.metadata.namespace = o.namespace
  return document
}

let t: TestApp
let app: FastifyInstance

before(async () => {
  t = await openTestApp()
  app = t.app
})
after(() => t.close())

function create(namespace: string, body: unknown, query = '') {
  return app.inject({ method: 'POST', url: `${BASE}/namespaces/${namespace}/experiments${query}`, payload: body as object })
}

function get(namespace: string, name: string, suffix = '') {
  return app.inject({ method: 'GET', url: `${BASE}/namespaces/${namespace}/experiments/${name}${suffix}` })
}

function patch(namespace: string, name: string, type: string, body: unknown, query = '') {
  return app.inject({
    method: 'PATCH', url: `${BASE}/namespaces/${namespace}/experiments/${name}${query}`,
    headers: { 'content-type': type }, payload: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

function put(namespace: string, name: string, body: unknown) {
  return app.inject({ method: 'PUT', url: `${BASE}/namespaces/${namespace}/experiments/${name}`, payload: body as object })
}

async function created(namespace: string, name: string, o: ApiExperimentOptions = {}): Promise<Json> {
  const response = await create(namespace, experimentJson(name, o))
  assert.equal(response.statusCode, 201, response.body)
  return response.json()
}

/** A Status as a server sends it: its code, reason and message, the causes' fields. */
function status(response: { statusCode: number; json(): any }) {
  const body = response.json()
  assert.equal(body.kind, 'Status', JSON.stringify(body))
  assert.equal(body.code, response.statusCode)
  return { code: body.code as number, reason: body.reason as string, message: body.message as string, fields: (body.details?.causes ?? []).map((c: Json) => c.field) as string[] }
}

describe('create', () => {
  test('POST in a namespace stores the experiment the REST API serves, with the object metadata a server fills', async () => {
    const name = uniqueName('kc')
    const object = await created('team-a', name, { labels: { owner: 'ann' } })
    assert.equal(object.apiVersion, 'kubeflow.org/v1beta1')
    assert.equal(object.kind, 'Experiment')
    assert.equal(object.metadata.name, name)
    assert.equal(object.metadata.namespace, 'team-a')
    assert.deepEqual(object.metadata.labels, { owner: 'ann' })
    assert.equal(object.metadata.generation, 1)
    assert.match(object.metadata.resourceVersion, /^[1-9]\d*$/)
    assert.match(object.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.equal(object.spec.maxTrialCount, 10)
    const rest = await app.inject({ method: 'GET', url: `/api/v1/experiments/${name}` })
    assert.equal(rest.statusCode, 200)
    assert.equal(rest.json().id ?? object.metadata.uid, object.metadata.uid)
    const again = await get('team-a', name)
    assert.deepEqual(again.json(), object)
  })

  test('generateName draws a name of five more characters; a taken name is 409 AlreadyExists', async () => {
    const prefix = `${uniqueName('gen')}-`
    const body = experimentJson('x')
    delete body.metadata.name
    body.metadata.generateName = prefix
    const first = await create('default', body)
    assert.equal(first.statusCode, 201, first.body)
    assert.match(first.json().metadata.name, new RegExp(`^${prefix}[bcdfghjklmnpqrstvwxz2456789]{5}$`))
    assert.equal(first.json().metadata.generateName, prefix)
    const taken = await create('default', experimentJson(first.json().metadata.name))
    assert.deepEqual(status(taken), { code: 409, reason: 'AlreadyExists', message: `experiments.kubeflow.org "${first.json().metadata.name}" already exists`, fields: [] })
  })

  test('an invalid experiment is 422 Invalid with a cause naming each field', async () => {
    const name = uniqueName('bad')
    const body = experimentJson(name)
    body.spec.parameters[0].parameterType = 'float'
    body.spec.parameters[1].feasibleSpace = { min: '1' }
    delete body.spec.objective.objectiveMetricName
    const answer = status(await create('default', body))
    assert.equal(answer.code, 422)
    assert.equal(answer.reason, 'Invalid')
    assert.match(answer.message, new RegExp(`^Experiment.kubeflow.org "${name}" is invalid: \\[`))
    for (const field of ['spec.parameters[0].parameterType', 'spec.objective.objectiveMetricName']) assert.ok(answer.fields.includes(field), `${field} in ${answer.fields.join(', ')}`)
    assert.equal((await get('default', name)).statusCode, 404)
  })

  test('fieldValidation: Strict refuses unknown fields naming them, Warn drops them with a Warning, Ignore drops them silently', async () => {
    const body = (name: string) => {
      const document = experimentJson(name)
      document.spec.foo = 1
      document.spec.parameters[0].feasibleSpace.mni = '0'
      document.metadata.colour = 'red'
      return document
    }
    const strictName = uniqueName('strict')
    const strict = status(await create('default', body(strictName), '?fieldValidation=Strict'))
    assert.equal(strict.code, 400)
    assert.equal(strict.reason, 'BadRequest')
    assert.equal(strict.message, 'Experiment in version "v1beta1" cannot be handled as a Experiment: strict decoding error: ' +
      'unknown field "metadata.colour", unknown field "spec.parameters[0].feasibleSpace.mni", unknown field "spec.foo"')
    assert.equal((await get('default', strictName)).statusCode, 404)

    const warned = await create('default', body(uniqueName('warn')), '?fieldValidation=Warn')
    assert.equal(warned.statusCode, 201, warned.body)
    assert.equal(warned.json().spec.foo, undefined)
    const warnings = [warned.headers.warning].flat().join('\n')
    assert.match(warnings, /299 - "unknown field \\"spec.foo\\""/)
    assert.match(warnings, /unknown field \\"metadata.colour\\"/)

    const ignored = await create('default', body(uniqueName('ignore')), '?fieldValidation=Ignore')
    assert.equal(ignored.statusCode, 201, ignored.body)
    assert.equal(ignored.headers.warning, undefined)
    assert.equal(status(await create('default', body(uniqueName('x')), '?fieldValidation=Loose')).code, 400)
  })

  test('the body names another namespace: 400; no name and no generateName: 422; a resourceVersion: refused as a server does', async () => {
    const other = status(await create('team-a', experimentJson(uniqueName('ns'), { namespace: 'team-b' })))
    assert.deepEqual([other.code, other.message], [400, 'the namespace of the provided object does not match the namespace sent on the request'])
    const nameless = experimentJson('x')
    delete nameless.metadata.name
    const missing = status(await create('default', nameless))
    assert.deepEqual([missing.code, missing.fields], [422, ['metadata.name']])
    const versioned = experimentJson(uniqueName('rv'))
    versioned.metadata.resourceVersion = '12'
    assert.match(status(await create('default', versioned)).message, /resourceVersion should not be set on objects to be created/)
    const wrongKind = status(await create('default', { ...experimentJson(uniqueName('k')), kind: 'Trial' }))
    assert.equal(wrongKind.code, 400)
  })

  test('YAML bodies are read too; finalizers a client sets are not kept, which a Warning says', async () => {
    const name = uniqueName('yaml')
    const yaml = experimentYaml(name).replace(`  name: ${name}\n`, `  name: ${name}\n  finalizers: [example.com/keep]\n`)
    const response = await app.inject({ method: 'POST', url: `${BASE}/namespaces/default/experiments`, headers: { 'content-type': 'application/yaml' }, payload: yaml })
    assert.equal(response.statusCode, 201, response.body)
    assert.equal(response.json().metadata.finalizers, undefined)
    assert.match([response.headers.warning].flat().join('\n'), /metadata.finalizers are not kept/)
  })

  test('a body a web page can send without a preflight (text/plain, a form) is 415, and nothing is created', async () => {
    const name = uniqueName('form')
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await app.inject({ method: 'POST', url: `${BASE}/namespaces/default/experiments`, headers: { 'content-type': type }, payload: JSON.stringify(experimentJson(name)) })
      assert.deepEqual([status(response).code, status(response).reason], [415, 'UnsupportedMediaType'], type)
    }
    assert.equal((await get('default', name)).statusCode, 404)
  })

  test('dryRun=All checks and answers the object, and stores nothing', async () => {
    const name = uniqueName('dry')
    const response = await create('default', experimentJson(name), '?dryRun=All')
    assert.equal(response.statusCode, 201, response.body)
    assert.equal(response.json().metadata.name, name)
    assert.equal((await get('default', name)).statusCode, 404)
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/experiments/${name}` })).statusCode, 404)
  })
})

describe('get and list', () => {
  test('another namespace does not find it; the status subresource reads the object', async () => {
    const name = uniqueName('where')
    const object = await created('team-c', name)
    assert.deepEqual(status(await get('default', name)), { code: 404, reason: 'NotFound', message: `experiments.kubeflow.org "${name}" not found`, fields: [] })
    const viaStatus = await get('team-c', name, '/status')
    assert.equal(viaStatus.statusCode, 200)
    assert.deepEqual(viaStatus.json(), object)
  })

  test('lists one namespace or all, by label and field selector, in chunks of limit with an opaque continue token', async () => {
    const ns = uniqueName('ns')
    const names = [uniqueName('l1'), uniqueName('l2'), uniqueName('l3')]
    await created(ns, names[0]!, { labels: { tier: 'gold' } })
    await created(ns, names[1]!, { labels: { tier: 'silver' } })
    await created(ns, names[2]!)
    const other = uniqueName('elsewhere')
    await created(`${ns}-b`, other, { labels: { tier: 'gold' } })

    const all = (await app.inject({ method: 'GET', url: `${BASE}/namespaces/${ns}/experiments` })).json()
    assert.equal(all.kind, 'ExperimentList')
    assert.equal(all.apiVersion, 'kubeflow.org/v1beta1')
    assert.match(all.metadata.resourceVersion, /^\d+$/)
    assert.deepEqual(all.items.map((i: Json) => i.metadata.name).sort(), [...names].sort())

    const gold = (await app.inject({ method: 'GET', url: `${BASE}/experiments?labelSelector=${encodeURIComponent('tier in (gold)')}` })).json()
    const goldNames = gold.items.map((i: Json) => i.metadata.name)
    assert.ok(goldNames.includes(names[0]) && goldNames.includes(other) && !goldNames.includes(names[1]))
    const notGold = (await app.inject({ method: 'GET', url: `${BASE}/namespaces/${ns}/experiments?labelSelector=${encodeURIComponent('tier!=gold')}` })).json()
    assert.deepEqual(notGold.items.map((i: Json) => i.metadata.name).sort(), [names[1], names[2]].sort())
    const byName = (await app.inject({ method: 'GET', url: `${BASE}/experiments?fieldSelector=metadata.name%3D${names[1]}` })).json()
    assert.deepEqual(byName.items.map((i: Json) => i.metadata.name), [names[1]])

    const seen: string[] = []
    let token: string | undefined
    let chunks = 0
    do {
      const chunk = (await app.inject({ method: 'GET', url: `${BASE}/namespaces/${ns}/experiments?limit=2${token ? `&continue=${encodeURIComponent(token)}` : ''}` })).json()
      assert.ok(chunk.items.length <= 2)
      assert.equal(chunk.metadata.resourceVersion, all.metadata.resourceVersion)
      seen.push(...chunk.items.map((i: Json) => i.metadata.name))
      token = chunk.metadata.continue
      chunks++
    } while (token && chunks < 10)
    assert.deepEqual(seen.sort(), [...names].sort())
    assert.ok(chunks >= 2)

    const bad = status(await app.inject({ method: 'GET', url: `${BASE}/namespaces/${ns}/experiments?limit=2&continue=garbage` }))
    assert.deepEqual([bad.code, bad.reason], [400, 'BadRequest'])
    const badSelector = status(await app.inject({ method: 'GET', url: `${BASE}/experiments?fieldSelector=spec.maxTrialCount%3D3` }))
    assert.deepEqual([badSelector.code, badSelector.message], [400, 'field label not supported: spec.maxTrialCount'])
  })

  test('watch=true on a namespace\'s list streams that namespace\'s experiments only', async () => {
    const ns = uniqueName('watched')
    const name = uniqueName('w')
    await created(ns, name)
    await created(`${ns}-other`, uniqueName('w'))
    const response = await app.inject({ method: 'GET', url: `${BASE}/namespaces/${ns}/experiments?watch=true&timeoutSeconds=1` })
    assert.equal(response.statusCode, 200, response.body)
    const events = response.body.trim().split('\n').map((line) => JSON.parse(line) as Json)
    assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name, e.object.metadata.namespace]), [['ADDED', name, ns]])
  })

  test('kubectl\'s Table: Katib\'s columns for a list and for one experiment', async () => {
    const name = uniqueName('tbl')
    await created('default', name)
    const list = await app.inject({ method: 'GET', url: `${BASE}/namespaces/default/experiments?limit=500`, headers: { accept: TABLE } })
    assert.equal(list.statusCode, 200)
    assert.match(String(list.headers['content-type']), /as="?Table/)
    const table = list.json()
    assert.equal(table.kind, 'Table')
    const shown = table.columnDefinitions.filter((c: Json) => c.priority === 0).map((c: Json) => c.name)
    for (const column of ['Name', 'Type', 'Status', 'Age']) assert.ok(shown.includes(column), `${column} in ${shown.join(', ')}`)
    assert.ok(table.rows.some((r: Json) => r.cells[0] === name))
    const one = (await app.inject({ method: 'GET', url: `${BASE}/namespaces/default/experiments/${name}`, headers: { accept: TABLE } })).json()
    assert.deepEqual(one.rows.map((r: Json) => r.cells[0]), [name])
  })
})

describe('update and patch', () => {
  test('a merge patch of maxTrialCount applies Katib\'s rules: a new generation and resourceVersion, the REST API sees it', async () => {
    const name = uniqueName('mp')
    const before = await created('default', name)
    const response = await patch('default', name, 'application/merge-patch+json', { spec: { maxTrialCount: 25 } })
    assert.equal(response.statusCode, 200, response.body)
    const after = response.json()
    assert.equal(after.spec.maxTrialCount, 25)
    assert.equal(after.metadata.generation, 2)
    assert.ok(Number(after.metadata.resourceVersion) > Number(before.metadata.resourceVersion))
    const rest = (await app.inject({ method: 'GET', url: `/api/v1/experiments/${name}` })).json()
    assert.equal(JSON.stringify(rest).includes('"maxTrialCount":25'), true)
  })

  test('the spec checks\' warnings come with the create as Warning headers, and a budget edit does not repeat them', async () => {
    const name = uniqueName('warned')
    const made = await create('default', experimentJson(name, { template: false }))
    assert.equal(made.statusCode, 201, made.body)
    assert.match([made.headers.warning].flat().join('\n'), /^299 - "spec.trialTemplate: /)
    const patched = await patch('default', name, 'application/merge-patch+json', { spec: { maxTrialCount: 11 } })
    assert.equal(patched.statusCode, 200, patched.body)
    assert.equal(patched.headers.warning, undefined)
  })

  test('changing anything but the three counts is 422 Invalid naming each field; a strategic merge patch is 415', async () => {
    const name = uniqueName('rules')
    await created('default', name)
    const refused = status(await patch('default', name, 'application/merge-patch+json', { spec: { algorithm: { algorithmName: 'tpe' }, objective: { goal: 0.1 }, maxTrialCount: 30 } }))
    assert.equal(refused.code, 422)
    assert.deepEqual(refused.fields.sort(), ['spec.algorithm.algorithmName', 'spec.objective.goal'])
    assert.match(refused.message, /only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount are editable/)
    assert.equal((await get('default', name)).json().spec.maxTrialCount, 10)
    const strategic = status(await patch('default', name, 'application/strategic-merge-patch+json', { spec: { maxTrialCount: 11 } }))
    assert.deepEqual([strategic.code, strategic.reason], [415, 'UnsupportedMediaType'])
    const wrongName = status(await patch('default', name, 'application/merge-patch+json', { metadata: { name: 'other' } }))
    assert.equal(wrongName.code, 400)
  })

  test('labels and annotations change by JSON patch with an event: a new resourceVersion, the same generation', async () => {
    const name = uniqueName('meta')
    const before = await created('default', name)
    const response = await patch('default', name, 'application/json-patch+json', [
      { op: 'add', path: '/metadata/labels', value: { 'katib.kubeflow.org/owner': 'bo' } },
      { op: 'add', path: '/metadata/annotations', value: { note: 'hi' } },
    ])
    assert.equal(response.statusCode, 200, response.body)
    const after = response.json()
    assert.deepEqual(after.metadata.labels, { 'katib.kubeflow.org/owner': 'bo' })
    assert.deepEqual(after.metadata.annotations, { note: 'hi' })
    assert.equal(after.metadata.generation, before.metadata.generation)
    assert.ok(Number(after.metadata.resourceVersion) > Number(before.metadata.resourceVersion))
    const events = (await t.store.events.list(after.metadata.uid)).map((e) => e.type)
    assert.equal(events.at(-1), 'experiment:metadata-changed')
    const removed = await patch('default', name, 'application/merge-patch+json', { metadata: { labels: null } })
    assert.equal(removed.json().metadata.labels, undefined)
  })

  test('PUT needs the current resourceVersion: a stale one is 409 Conflict, none is 422, the current one updates', async () => {
    const name = uniqueName('put')
    const object = await created('default', name)
    await patch('default', name, 'application/merge-patch+json', { spec: { parallelTrialCount: 3 } })
    const stale = status(await put('default', name, { ...object, spec: { ...object.spec, maxTrialCount: 12 } }))
    assert.deepEqual([stale.code, stale.reason], [409, 'Conflict'])
    assert.equal(stale.message, `Operation cannot be fulfilled on experiments.kubeflow.org "${name}": the object has been modified; please apply your changes to the latest version and try again`)
    const { resourceVersion: _rv, ...unversioned } = object.metadata
    assert.deepEqual(status(await put('default', name, { ...object, metadata: unversioned })).fields, ['metadata.resourceVersion'])
    const current = (await get('default', name)).json()
    const replaced = await put('default', name, { ...current, metadata: { ...current.metadata, labels: { put: 'yes' } }, spec: { ...current.spec, maxTrialCount: 12 } })
    assert.equal(replaced.statusCode, 200, replaced.body)
    assert.equal(replaced.json().spec.maxTrialCount, 12)
    assert.deepEqual(replaced.json().metadata.labels, { put: 'yes' })
    const stalePatch = status(await patch('default', name, 'application/merge-patch+json', { metadata: { resourceVersion: current.metadata.resourceVersion }, spec: { maxTrialCount: 13 } }))
    assert.equal(stalePatch.code, 409)
  })

  test('a finished experiment: a larger budget restarts it under resumePolicy LongRunning, and is 422 on spec.maxTrialCount under Never', async () => {
    const finish = async (name: string, o: ApiExperimentOptions) => {
      const object = await created('default', name, { ...o, max: 3 })
      const done = await t.store.experiments.transition(object.metadata.uid, ['Created'], {
        state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', message: 'budget spent', completedAt: new Date(),
      })
      assert.ok(done, 'the experiment is marked finished')
    }
    const longRunning = uniqueName('long')
    await finish(longRunning, { resumePolicy: 'LongRunning' })
    const restarted = await patch('default', longRunning, 'application/merge-patch+json', { spec: { maxTrialCount: 6 } })
    assert.equal(restarted.statusCode, 200, restarted.body)
    assert.equal((await t.store.experiments.getByName(longRunning))!.state, 'Restarting')
    const never = uniqueName('never')
    await finish(never, { resumePolicy: 'Never' })
    const refused = status(await patch('default', never, 'application/merge-patch+json', { spec: { maxTrialCount: 6 } }))
    assert.deepEqual([refused.code, refused.fields], [422, ['spec.maxTrialCount']])
    assert.match(refused.message, /resumePolicy Never/)
  })

  test('labels a server would refuse are 422 naming metadata.labels', async () => {
    const name = uniqueName('badlabel')
    await created('default', name)
    const refused = status(await patch('default', name, 'application/merge-patch+json', { metadata: { labels: { 'bad key': 'x', ok: 'bad value!' } } }))
    assert.deepEqual([refused.code, refused.fields], [422, ['metadata.labels', 'metadata.labels']])
    const body = experimentJson(uniqueName('badlabel'))
    body.metadata.labels = { 'a/b/c': 'x' }
    assert.equal(status(await create('default', body)).code, 422)
  })

  test('two writes based on the same resourceVersion at once: one is applied, the other is 409 Conflict', async () => {
    const name = uniqueName('race')
    const object = await created('default', name)
    const writes = await Promise.all([11, 12, 13].map((max) => put('default', name, { ...object, spec: { ...object.spec, maxTrialCount: max } })))
    const codes = writes.map((w) => w.statusCode).sort()
    assert.deepEqual(codes, [200, 409, 409], writes.map((w) => w.body).join('\n'))
    const winner = writes.find((w) => w.statusCode === 200)!.json()
    assert.equal((await get('default', name)).json().spec.maxTrialCount, winner.spec.maxTrialCount)
  })

  test('dryRun=All on a patch answers the patched object and changes nothing', async () => {
    const name = uniqueName('drypatch')
    const object = await created('default', name)
    const response = await patch('default', name, 'application/merge-patch+json', { spec: { maxTrialCount: 40 } }, '?dryRun=All')
    assert.equal(response.statusCode, 200, response.body)
    assert.equal(response.json().spec.maxTrialCount, 40)
    assert.deepEqual((await get('default', name)).json(), object)
  })

  test('the status subresource is the controller\'s: a write is 403 Forbidden', async () => {
    const name = uniqueName('st')
    await created('default', name)
    const answer = status(await app.inject({
      method: 'PATCH', url: `${BASE}/namespaces/default/experiments/${name}/status`,
      headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ status: { conditions: [] } }),
    }))
    assert.deepEqual([answer.code, answer.reason], [403, 'Forbidden'])
  })

  test('server-side apply creates what is missing (fieldManager required) and merges the applied fields into what exists', async () => {
    const name = uniqueName('ssa')
    const body = JSON.stringify(experimentJson(name))
    const noManager = status(await patch('default', name, 'application/apply-patch+yaml', body))
    assert.equal(noManager.code, 422)
    const made = await patch('default', name, 'application/apply-patch+yaml', body, '?fieldManager=kubectl')
    assert.equal(made.statusCode, 201, made.body)
    const applied = experimentJson(name)
    applied.spec.maxTrialCount = 15
    const changed = await patch('default', name, 'application/apply-patch+yaml', JSON.stringify(applied), '?fieldManager=kubectl')
    assert.equal(changed.statusCode, 200, changed.body)
    assert.equal(changed.json().spec.maxTrialCount, 15)
    assert.match([changed.headers.warning].flat().join(), /without field ownership/)
  })
})

test('methods a path does not take are 405 MethodNotAllowed', async () => {
  for (const [method, url] of [['POST', `${BASE}/experiments`], ['PUT', `${BASE}/namespaces/default/experiments`], ['POST', `${BASE}/namespaces/default/experiments/x`], ['DELETE', `${BASE}/namespaces/default/experiments`]] as const) {
    const answer = status(await app.inject({ method, url, payload: {} }))
    assert.deepEqual([answer.code, answer.reason], [405, 'MethodNotAllowed'], `${method} ${url}`)
  }
})

describe('delete', () => {
  test('DELETE answers Status Success naming it, after which it is gone; unmet preconditions are 409, a dry run keeps it', async () => {
    const name = uniqueName('del')
    const object = await created('default', name)
    const url = `${BASE}/namespaces/default/experiments/${name}`
    const wrongUid = status(await app.inject({ method: 'DELETE', url, payload: { preconditions: { uid: 'nope' } } }))
    assert.equal(wrongUid.code, 409)
    const dry = await app.inject({ method: 'DELETE', url: `${url}?dryRun=All` })
    assert.equal(dry.statusCode, 200)
    assert.equal((await get('default', name)).statusCode, 200)
    const wrongNamespace = await app.inject({ method: 'DELETE', url: `${BASE}/namespaces/elsewhere/experiments/${name}` })
    assert.equal(wrongNamespace.statusCode, 404)
    const deleted = await app.inject({ method: 'DELETE', url, payload: { propagationPolicy: 'Background', preconditions: { uid: object.metadata.uid } } })
    assert.equal(deleted.statusCode, 200, deleted.body)
    assert.deepEqual(deleted.json(), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
      details: { name, group: 'kubeflow.org', kind: 'experiments', uid: object.metadata.uid }, code: 200,
    })
    assert.equal((await get('default', name)).statusCode, 404)
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/experiments/${name}` })).statusCode, 404)
  })
})
