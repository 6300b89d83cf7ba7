import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

/**
 * core/v1 on `tunewell serve`: the namespaces experiments use and the events of our event
 * store as Kubernetes Events, driven through the app as kubectl would ask (inject; the kubectl
 * runs are in kubectl-core-v1.test.ts).
 */

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'

let t: TestApp
let app: FastifyInstance
const namespace = uniqueName('team')
const inNamespace = uniqueName('ns-exp')
const inDefault = uniqueName('def-exp')

/** An ask/tell experiment (no trialTemplate), so trials run by HTTP calls here. */
function yaml(name: string, ns?: string): string {
  return experimentYaml(name, { ...(ns ? { namespace: ns } : {}), parallel: 1, max: 2, template: false })
}

async function get(url: string, accept = 'application/json') {
  const response = await app.inject({ method: 'GET', url, headers: { accept } })
  return { status: response.statusCode, body: response.json() as Record<string, any>, headers: response.headers }
}

/** Runs the experiment's trials to the end through ask and tell; resolves the trial names. */
async function runTrials(name: string): Promise<string[]> {
  const names: string[] = []
  for (let i = 0; i < 2; i++) {
    const asked = await app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials:ask`, payload: {} })
    assert.equal(asked.statusCode, 200, asked.body)
    const trial = asked.json().name as string
    names.push(trial)
    const told = await app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials/${trial}:tell`, payload: { value: 0.5 - i / 10 } })
    assert.equal(told.statusCode, 200, told.body)
  }
  return names
}

function reasons(items: Record<string, any>[]): string[] {
  return items.map((e) => e.reason as string)
}

let trials: string[]

before(async () => {
  t = await openTestApp()
  app = t.app
  for (const [name, ns] of [[inNamespace, namespace], [inDefault, undefined]] as const) {
    const created = await postYaml(app, yaml(name, ns))
    assert.equal(created.statusCode, 201, created.body)
  }
  trials = await runTrials(inNamespace)
})

after(async () => {
  await t?.close()
})

describe('core/v1 namespaces', () => {
  test('the list holds the namespaces experiments use and default, Active, with the list\'s resourceVersion', async () => {
    const { status, body } = await get('/api/v1/namespaces')
    assert.equal(status, 200)
    assert.equal(body.kind, 'NamespaceList')
    assert.equal(body.apiVersion, 'v1')
    const names = body.items.map((ns: any) => ns.metadata.name)
    assert.deepEqual(names, [...names].sort())
    assert.ok(names.includes('default') && names.includes(namespace), names.join(','))
    for (const ns of body.items) {
      assert.equal(ns.kind, 'Namespace')
      assert.equal(ns.status.phase, 'Active')
      assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], ns.metadata.name)
      assert.match(ns.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    }
    assert.match(body.metadata.resourceVersion, /^[1-9]\d*$/)
  })

  test('one namespace by name; a namespace nobody uses is a NotFound Status', async () => {
    const one = await get(`/api/v1/namespaces/${namespace}`)
    assert.equal(one.status, 200)
    assert.equal(one.body.metadata.name, namespace)
    const created = (await t.store.experiments.getByName(inNamespace))!.createdAt
    assert.equal(Date.parse(one.body.metadata.creationTimestamp), Math.floor(created.getTime() / 1000) * 1000)

    const missing = await get('/api/v1/namespaces/nobody-here')
    assert.equal(missing.status, 404)
    assert.deepEqual(
      { kind: missing.body.kind, reason: missing.body.reason, message: missing.body.message, code: missing.body.code },
      { kind: 'Status', reason: 'NotFound', message: 'namespaces "nobody-here" not found', code: 404 },
    )
  })

  test('field and label selectors filter the list; a field namespaces lack is a BadRequest Status', async () => {
    const byName = await get(`/api/v1/namespaces?fieldSelector=${encodeURIComponent(`metadata.name=${namespace}`)}`)
    assert.deepEqual(byName.body.items.map((ns: any) => ns.metadata.name), [namespace])
    const byLabel = await get(`/api/v1/namespaces?labelSelector=${encodeURIComponent('kubernetes.io/metadata.name=default')}`)
    assert.deepEqual(byLabel.body.items.map((ns: any) => ns.metadata.name), ['default'])
    const bad = await get('/api/v1/namespaces?fieldSelector=spec.color%3Dred')
    assert.equal(bad.status, 400)
    assert.equal(bad.body.kind, 'Status')
    assert.equal(bad.body.reason, 'BadRequest')
  })

  test('kubectl get ns asks for a Table: NAME, STATUS, AGE', async () => {
    const { status, body, headers } = await get('/api/v1/namespaces', TABLE)
    assert.equal(status, 200)
    assert.match(String(headers['content-type']), /as="?Table/)
    assert.equal(body.kind, 'Table')
    assert.deepEqual(body.columnDefinitions.map((c: any) => c.name), ['Name', 'Status', 'Age'])
    const row = body.rows.find((r: any) => r.cells[0] === namespace)
    assert.equal(row.cells[1], 'Active')
    assert.match(row.cells[2], /^\d+(s|m)/)
    assert.equal(row.object.kind, 'PartialObjectMetadata')
    assert.equal(row.object.metadata.name, namespace)
  })

  test('namespaces cannot be created, changed or deleted here (405 MethodNotAllowed Status)', async () => {
    for (const [method, url] of [['POST', '/api/v1/namespaces'], ['DELETE', `/api/v1/namespaces/${namespace}`], ['PUT', `/api/v1/namespaces/${namespace}`]] as const) {
      const response = await app.inject({ method, url, payload: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } } })
      assert.equal(response.statusCode, 405, `${method} ${url}: ${response.body}`)
      assert.equal(response.json().reason, 'MethodNotAllowed')
    }
  })
})

describe('core/v1 events', () => {
  const describeSelector = (kind: string, name: string, uid: string) =>
    encodeURIComponent(`involvedObject.name=${name},involvedObject.namespace=${namespace},involvedObject.kind=${kind},involvedObject.uid=${uid}`)

  test('an experiment\'s events, as kubectl describe selects them: Katib\'s reasons in the order they happened', async () => {
    const record = (await t.store.experiments.getByName(inNamespace))!
    const { status, body } = await get(`/api/v1/namespaces/${namespace}/events?fieldSelector=${describeSelector('Experiment', inNamespace, record.id)}&limit=500`)
    assert.equal(status, 200)
    assert.equal(body.kind, 'EventList')
    const got = reasons(body.items)
    assert.equal(got[0], 'ExperimentCreated')
    assert.ok(got.includes('ExperimentRunning'), got.join(','))
    assert.equal(got.at(-1), 'ExperimentMaxTrialsReached')
    for (const event of body.items) {
      assert.deepEqual(
        { apiVersion: event.involvedObject.apiVersion, kind: event.involvedObject.kind, name: event.involvedObject.name, namespace: event.involvedObject.namespace, uid: event.involvedObject.uid },
        { apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', name: inNamespace, namespace, uid: record.id },
      )
      assert.equal(event.metadata.namespace, namespace)
      assert.equal(event.source.component, 'tunewell')
      assert.equal(event.count, 1)
      assert.equal(event.firstTimestamp, event.lastTimestamp)
      assert.ok(event.type === 'Normal' || event.type === 'Warning')
    }
    const completion = body.items.at(-1)
    assert.equal(completion.message, 'Experiment has succeeded because max trial count has reached')
    const ids = body.items.map((e: any) => Number(e.metadata.resourceVersion))
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b))
  })

  test('a trial\'s events are on the Trial, in its experiment\'s namespace', async () => {
    const trial = (await t.store.trials.getByName(trials[0]!))!
    const { body } = await get(`/api/v1/namespaces/${namespace}/events?fieldSelector=${describeSelector('Trial', trial.name, trial.id)}`)
    const got = reasons(body.items)
    assert.ok(got.includes('TrialRunning'), got.join(','))
    assert.equal(got.at(-1), 'TrialSucceeded')
    assert.ok(body.items.every((e: any) => e.involvedObject.kind === 'Trial' && e.involvedObject.name === trial.name && e.involvedObject.uid === trial.id))
  })

  test('a namespace lists its experiments\' events only; other namespaces and unknown objects list none', async () => {
    const inTeam = await get(`/api/v1/namespaces/${namespace}/events`)
    const objects = new Set(inTeam.body.items.map((e: any) => e.involvedObject.name))
    assert.ok(objects.has(inNamespace) && trials.every((n) => objects.has(n)))
    assert.ok(!objects.has(inDefault))
    const inDefaultNs = await get('/api/v1/namespaces/default/events')
    assert.ok(inDefaultNs.body.items.some((e: any) => e.involvedObject.name === inDefault))
    assert.ok(!inDefaultNs.body.items.some((e: any) => e.involvedObject.name === inNamespace))
    // The experiment exists, in another namespace: nothing here, as a server would answer.
    const elsewhere = await get(`/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${inNamespace}`)}`)
    assert.deepEqual(elsewhere.body.items, [])
    const unknown = await get(`/api/v1/namespaces/${namespace}/events?fieldSelector=${encodeURIComponent('involvedObject.name=nothing-by-this-name')}`)
    assert.deepEqual(unknown.body.items, [])
    const warnings = await get(`/api/v1/namespaces/${namespace}/events?fieldSelector=type%3DWarning`)
    assert.deepEqual(warnings.body.items, [])
  })

  test('limit and continue walk the same list in chunks', async () => {
    const whole = await get(`/api/v1/namespaces/${namespace}/events`)
    assert.ok(whole.body.items.length > 4)
    assert.equal(whole.body.metadata.continue, undefined)
    const chunks: any[] = []
    let token: string | undefined
    let rounds = 0
    do {
      const page = await get(`/api/v1/namespaces/${namespace}/events?limit=3${token ? `&continue=${encodeURIComponent(token)}` : ''}`)
      assert.equal(page.status, 200)
      assert.ok(page.body.items.length <= 3)
      assert.equal(page.body.metadata.resourceVersion, whole.body.metadata.resourceVersion)
      chunks.push(...page.body.items)
      token = page.body.metadata.continue
      rounds++
    } while (token && rounds < 50)
    assert.deepEqual(chunks, whole.body.items)
    const bad = await get(`/api/v1/namespaces/${namespace}/events?continue=not-a-token`)
    assert.equal(bad.status, 400)
    assert.equal(bad.body.reason, 'BadRequest')
  })

  test('one event by name; the name in another namespace is NotFound', async () => {
    const { body } = await get(`/api/v1/namespaces/${namespace}/events`)
    const first = body.items[0]
    const one = await get(`/api/v1/namespaces/${namespace}/events/${first.metadata.name}`)
    assert.equal(one.status, 200)
    assert.deepEqual(one.body, first)
    const wrong = await get(`/api/v1/namespaces/default/events/${first.metadata.name}`)
    assert.equal(wrong.status, 404)
    assert.equal(wrong.body.message, `events "${first.metadata.name}" not found`)
  })

  test('kubectl get events asks for a Table: the server\'s event columns, the object as kind/name', async () => {
    const { body } = await get(`/api/v1/namespaces/${namespace}/events`, TABLE)
    assert.equal(body.kind, 'Table')
    assert.deepEqual(body.columnDefinitions.map((c: any) => [c.name, c.priority]), [
      ['Last Seen', 0], ['Type', 0], ['Reason', 0], ['Object', 0], ['Subobject', 1], ['Source', 1], ['Message', 0], ['First Seen', 1], ['Count', 1], ['Name', 1],
    ])
    const created = body.rows.find((r: any) => r.cells[2] === 'ExperimentCreated')
    assert.equal(created.cells[1], 'Normal')
    assert.equal(created.cells[3], `experiment/${inNamespace}`)
    assert.equal(created.cells[5], 'tunewell')
    assert.equal(created.cells[6], 'Experiment is created')
    assert.equal(created.cells[8], 1)
  })

  test('all namespaces (kubectl get events -A) share /api/v1/events with the REST event stream, told apart by Accept', async () => {
    const all = await get('/api/v1/events?limit=500', TABLE)
    assert.equal(all.status, 200)
    assert.equal(all.body.kind, 'Table')
    const objects = new Set(all.body.rows.map((r: any) => r.cells[3]))
    assert.ok(objects.has(`experiment/${inNamespace}`) && objects.has(`experiment/${inDefault}`))
    const json = await get(`/api/v1/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${inDefault}`)}`)
    assert.equal(json.body.kind, 'EventList')
    assert.deepEqual([...new Set(json.body.items.map((e: any) => e.metadata.namespace))], ['default'])
    const bad = await get('/api/v1/events?fieldSelector=color%3Dred')
    assert.deepEqual([bad.status, bad.body.kind, bad.body.reason], [400, 'Status', 'BadRequest'])

    // An EventSource (or curl, which accepts anything) still gets the REST API's stream.
    await app.listen({ host: '127.0.0.1', port: 0 })
    const port = (app.server.address() as import('node:net').AddressInfo).port
    for (const accept of ['text/event-stream', '*/*']) {
      const aborter = new AbortController()
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/events`, { headers: { accept }, signal: aborter.signal })
      assert.match(String(response.headers.get('content-type')), /^text\/event-stream/, accept)
      aborter.abort()
    }
  })

  test('events are read-only (405 Status); namespaces are not watched (405)', async () => {
    const write = await app.inject({ method: 'POST', url: `/api/v1/namespaces/${namespace}/events`, payload: { metadata: { name: 'x' } } })
    assert.equal(write.statusCode, 405)
    assert.equal(write.json().kind, 'Status')
    const watch = await get('/api/v1/namespaces?watch=true')
    assert.equal(watch.status, 405)
  })

  test('watch=true on events: the existing ones as ADDED, then the new ones; from a resourceVersion, only what came after', async () => {
    const listed = await get(`/api/v1/namespaces/${namespace}/events`)
    const initial = await app.inject({ method: 'GET', url: `/api/v1/namespaces/${namespace}/events?watch=true&timeoutSeconds=1` })
    assert.equal(initial.statusCode, 200)
    const initialEvents = initial.body.trim().split('\n').map((line) => JSON.parse(line))
    assert.deepEqual(initialEvents.map((e) => e.type), listed.body.items.map(() => 'ADDED'))
    assert.deepEqual(initialEvents.map((e) => e.object), listed.body.items)

    const since = listed.body.metadata.resourceVersion
    const watching = app.inject({ method: 'GET', url: `/api/v1/namespaces/default/events?watch=1&timeoutSeconds=3&allowWatchBookmarks=true&resourceVersion=${since}&fieldSelector=${encodeURIComponent(`involvedObject.name=${inDefault}`)}` })
    await new Promise((resolve) => setTimeout(resolve, 700))
    const asked = await app.inject({ method: 'POST', url: `/api/v1/experiments/${inDefault}/trials:ask`, payload: {} })
    assert.equal(asked.statusCode, 200, asked.body)
    const streamed = (await watching).body.trim().split('\n').map((line) => JSON.parse(line))
    const added = streamed.filter((e) => e.type === 'ADDED')
    assert.deepEqual(added.map((e) => e.object.reason), ['ExperimentRunning'])
    assert.ok(added.every((e) => Number(e.object.metadata.resourceVersion) > Number(since)))
    // The stream ends with a BOOKMARK where it stood, so the client can resume from there.
    assert.equal(streamed.at(-1).type, 'BOOKMARK')
  })
})
