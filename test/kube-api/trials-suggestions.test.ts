import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

/**
 * Trials and Suggestions on the Kubernetes API (kubeflow.org/v1beta1), read-only, driven as
 * kubectl and the Python client ask (inject; the kubectl runs are in kubectl-trials.test.ts).
 * Trials run by ask and tell, so their states and metrics are known.
 */

const API = '/apis/kubeflow.org/v1beta1'
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'
const EXPERIMENT_LABEL = 'katib.kubeflow.org/experiment'

let t: TestApp
let app: FastifyInstance
const namespace = uniqueName('team')
const done = uniqueName('done')
const running = uniqueName('running')
const team = uniqueName('t')
let doneTrials: string[] = []
let runningTrial: string

function yaml(name: string, ns: string | undefined, labels: Record<string, string> = {}): string {
  return experimentYaml(name, { ...(ns ? { namespace: ns } : {}), ...(Object.keys(labels).length > 0 ? { labels } : {}), parallel: 1, max: 3, template: false })
}

async function get(url: string, accept = 'application/json') {
  const response = await app.inject({ method: 'GET', url, headers: { accept } })
  return { status: response.statusCode, body: response.json() as Record<string, any> }
}

async function ask(name: string): Promise<string> {
  const asked = await app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials:ask`, payload: {} })
  assert.equal(asked.statusCode, 200, asked.body)
  return asked.json().name as string
}

async function tell(name: string, trial: string, value: number): Promise<void> {
  const told = await app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials/${trial}:tell`, payload: { value } })
  assert.equal(told.statusCode, 200, told.body)
}

const names = (items: Record<string, any>[]) => items.map((o) => o.metadata.name as string)

before(async () => {
  t = await openTestApp()
  app = t.app
  assert.equal((await postYaml(app, yaml(done, namespace, { team }))).statusCode, 201)
  assert.equal((await postYaml(app, yaml(running, undefined))).statusCode, 201)
  for (const value of [0.4, 0.2, 0.3]) {
    const trial = await ask(done)
    doneTrials.push(trial)
    await tell(done, trial, value)
  }
  runningTrial = await ask(running)
})

after(async () => {
  await t?.close()
})

describe('Trials', () => {
  test('kubectl get trials -l katib.kubeflow.org/experiment=NAME: that experiment\'s trials in Katib\'s shape', async () => {
    const { status, body } = await get(`${API}/namespaces/${namespace}/trials?labelSelector=${encodeURIComponent(`${EXPERIMENT_LABEL}=${done}`)}`)
    assert.equal(status, 200)
    assert.equal(body.kind, 'TrialList')
    assert.equal(body.apiVersion, 'kubeflow.org/v1beta1')
    assert.deepEqual(names(body.items), doneTrials)
    const experiment = (await t.store.experiments.getByName(done))!
    for (const trial of body.items) {
      assert.equal(trial.kind, 'Trial')
      assert.equal(trial.metadata.namespace, namespace)
      assert.equal(trial.metadata.labels[EXPERIMENT_LABEL], done)
      assert.equal(trial.metadata.labels.team, team)
      assert.deepEqual(trial.metadata.ownerReferences.map((o: any) => [o.kind, o.name, o.uid]), [['Experiment', done, experiment.id]])
      assert.deepEqual(trial.spec.parameterAssignments.map((a: any) => a.name), ['lr', 'optimizer'])
      assert.equal(trial.spec.objective.objectiveMetricName, 'loss')
      assert.equal(trial.status.conditions.at(-1).type, 'Succeeded')
      assert.equal(trial.status.conditions.at(-1).status, 'True')
      assert.ok(trial.status.completionTime)
    }
    const stored = (await t.store.trials.getByName(doneTrials[1]!))!
    const second = body.items[1]
    assert.deepEqual(second.status.observation.metrics.find((m: any) => m.name === 'loss'), { name: 'loss', min: String(stored.metrics!.loss!.min), max: String(stored.metrics!.loss!.max), latest: String(stored.metrics!.loss!.latest) })
    assert.deepEqual(second.spec.parameterAssignments.find((a: any) => a.name === 'optimizer').value, stored.params.optimizer)
  })

  test('a namespace lists its own trials; all namespaces list every trial', async () => {
    const inTeam = await get(`${API}/namespaces/${namespace}/trials`)
    assert.deepEqual(names(inTeam.body.items), doneTrials)
    const inDefault = await get(`${API}/namespaces/default/trials`)
    assert.ok(names(inDefault.body.items).includes(runningTrial))
    assert.ok(!names(inDefault.body.items).some((n) => doneTrials.includes(n)))
    const all = await get(`${API}/trials`)
    assert.ok([...doneTrials, runningTrial].every((n) => names(all.body.items).includes(n)))
    const running_ = all.body.items.find((o: any) => o.metadata.name === runningTrial)
    assert.equal(running_.status.conditions.at(-1).type, 'Running')
    assert.equal(running_.status.completionTime, undefined)
  })

  test('label selectors over the experiment\'s labels, field selectors by name and namespace', async () => {
    const byTeam = await get(`${API}/trials?labelSelector=${encodeURIComponent(`team=${team}`)}`)
    assert.deepEqual(names(byTeam.body.items), doneTrials)
    const notTeam = await get(`${API}/trials?labelSelector=${encodeURIComponent(`team!=${team}`)}`)
    assert.ok(!names(notTeam.body.items).some((n) => doneTrials.includes(n)))
    const byName = await get(`${API}/trials?fieldSelector=${encodeURIComponent(`metadata.name=${doneTrials[2]}`)}`)
    assert.deepEqual(names(byName.body.items), [doneTrials[2]])
    const byNs = await get(`${API}/trials?fieldSelector=${encodeURIComponent(`metadata.namespace=${namespace}`)}`)
    assert.deepEqual(names(byNs.body.items), doneTrials)
    const wrongNs = await get(`${API}/namespaces/default/trials?fieldSelector=${encodeURIComponent(`metadata.name=${doneTrials[0]}`)}`)
    assert.deepEqual(wrongNs.body.items, [])
    const bad = await get(`${API}/trials?fieldSelector=status.phase%3DRunning`)
    assert.equal(bad.status, 400)
    assert.equal(bad.body.kind, 'Status')
    const badLabel = await get(`${API}/trials?labelSelector=${encodeURIComponent('a in (b')}`)
    assert.equal(badLabel.status, 400)
  })

  test('limit and continue walk the list in chunks', async () => {
    const whole = await get(`${API}/trials`)
    const chunks: string[] = []
    let token: string | undefined
    let rounds = 0
    do {
      const page = await get(`${API}/trials?limit=1${token ? `&continue=${encodeURIComponent(token)}` : ''}`)
      assert.equal(page.status, 200)
      assert.ok(page.body.items.length <= 1)
      chunks.push(...names(page.body.items))
      token = page.body.metadata.continue
      rounds++
    } while (token && rounds < 20)
    assert.deepEqual(chunks, names(whole.body.items))
  })

  test('get one trial and its status; in another namespace it is a NotFound Status', async () => {
    const one = await get(`${API}/namespaces/${namespace}/trials/${doneTrials[0]}`)
    assert.equal(one.status, 200)
    assert.equal(one.body.metadata.name, doneTrials[0])
    assert.match(one.body.metadata.resourceVersion, /^[1-9]\d*$/)
    const status = await get(`${API}/namespaces/${namespace}/trials/${doneTrials[0]}/status`)
    assert.deepEqual(status.body, one.body)
    const wrong = await get(`${API}/namespaces/default/trials/${doneTrials[0]}`)
    assert.equal(wrong.status, 404)
    assert.deepEqual([wrong.body.kind, wrong.body.reason, wrong.body.message], ['Status', 'NotFound', `trials.kubeflow.org "${doneTrials[0]}" not found`])
  })

  test('kubectl get trials asks for a Table: Katib\'s TYPE, STATUS, AGE', async () => {
    const { body } = await get(`${API}/namespaces/${namespace}/trials`, TABLE)
    assert.equal(body.kind, 'Table')
    assert.deepEqual(body.columnDefinitions.map((c: any) => c.name), ['Name', 'Type', 'Status', 'Age'])
    assert.deepEqual(body.rows.map((r: any) => r.cells.slice(0, 3)), doneTrials.map((n) => [n, 'Succeeded', 'True']))
  })

  test('trials are read-only: every write is a 405 MethodNotAllowed Status', async () => {
    const base = `${API}/namespaces/${namespace}/trials`
    for (const [method, url] of [['POST', base], ['PUT', `${base}/${doneTrials[0]}`], ['PATCH', `${base}/${doneTrials[0]}`], ['DELETE', `${base}/${doneTrials[0]}`], ['DELETE', base], ['PUT', `${base}/${doneTrials[0]}/status`]] as const) {
      const response = await app.inject({ method, url, headers: { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }, payload: {} })
      assert.equal(response.statusCode, 405, `${method} ${url}: ${response.body}`)
      assert.deepEqual([response.json().kind, response.json().reason], ['Status', 'MethodNotAllowed'])
    }
    assert.equal((await t.store.trials.getByName(doneTrials[0]!))!.state, 'Succeeded')
  })

  test('watch=true streams the selected trials as ADDED, then ends at timeoutSeconds', async () => {
    const response = await app.inject({ method: 'GET', url: `${API}/namespaces/${namespace}/trials?watch=true&timeoutSeconds=1&labelSelector=${encodeURIComponent(`${EXPERIMENT_LABEL}=${done}`)}` })
    assert.equal(response.statusCode, 200)
    const events = response.body.trim().split('\n').map((line) => JSON.parse(line))
    assert.deepEqual(events.map((e) => [e.type, e.object.kind, e.object.metadata.name]), doneTrials.map((n) => ['ADDED', 'Trial', n]))
  })
})

describe('the Python client\'s requests', () => {
  test('watch=True is a watch, as Go\'s ParseBool reads it', async () => {
    const response = await app.inject({ method: 'GET', url: `${API}/namespaces/${namespace}/trials?watch=True&timeoutSeconds=1&labelSelector=${encodeURIComponent(`${EXPERIMENT_LABEL}=${done}`)}` })
    const events = response.body.trim().split('\n').map((line) => JSON.parse(line))
    assert.deepEqual(events.map((e) => e.type), doneTrials.map(() => 'ADDED'))
  })

  test('a DELETE saying application/json with no body: 405 for a trial, and an experiment is deleted', async () => {
    const trial = await app.inject({ method: 'DELETE', url: `${API}/namespaces/${namespace}/trials/${doneTrials[0]}`, headers: { 'content-type': 'application/json' } })
    assert.equal(trial.statusCode, 405, trial.body)
    const doomed = uniqueName('doomed')
    assert.equal((await postYaml(app, yaml(doomed, undefined))).statusCode, 201)
    const experiment = await app.inject({ method: 'DELETE', url: `${API}/namespaces/default/experiments/${doomed}`, headers: { 'content-type': 'application/json' } })
    assert.equal(experiment.statusCode, 200, experiment.body)
    assert.equal(await t.store.experiments.getByName(doomed), undefined)
  })
})

describe('Suggestions', () => {
  test('one per experiment, named after it: every assignment handed out, Katib\'s counters', async () => {
    const { status, body } = await get(`${API}/namespaces/${namespace}/suggestions/${done}`)
    assert.equal(status, 200)
    assert.equal(body.kind, 'Suggestion')
    assert.equal(body.metadata.labels[EXPERIMENT_LABEL], done)
    assert.equal(body.spec.algorithm.algorithmName, 'random')
    assert.equal(body.spec.requests, 3)
    assert.equal(body.status.suggestionCount, 3)
    assert.deepEqual(body.status.suggestions.map((s: any) => s.name), doneTrials)
    const stored = (await t.store.trials.getByName(doneTrials[0]!))!
    assert.deepEqual(body.status.suggestions[0].parameterAssignments.find((a: any) => a.name === 'optimizer').value, stored.params.optimizer)
    const status_ = await get(`${API}/namespaces/${namespace}/suggestions/${done}/status`)
    assert.deepEqual(status_.body, body)
  })

  test('lists by namespace and selector; a suggestion in another namespace is NotFound', async () => {
    assert.deepEqual(names((await get(`${API}/namespaces/${namespace}/suggestions`)).body.items), [done])
    const all = names((await get(`${API}/suggestions`)).body.items)
    assert.ok(all.includes(done) && all.includes(running))
    assert.deepEqual(all, [...all].sort())
    assert.deepEqual(names((await get(`${API}/suggestions?labelSelector=${encodeURIComponent(`${EXPERIMENT_LABEL}=${running}`)}`)).body.items), [running])
    assert.deepEqual(names((await get(`${API}/suggestions?fieldSelector=${encodeURIComponent(`metadata.name=${done}`)}`)).body.items), [done])
    const chunked: string[] = []
    let token: string | undefined
    do {
      const page = await get(`${API}/suggestions?limit=1${token ? `&continue=${encodeURIComponent(token)}` : ''}`)
      chunked.push(...names(page.body.items))
      token = page.body.metadata.continue
    } while (token)
    assert.deepEqual(chunked, all)
    const wrong = await get(`${API}/namespaces/default/suggestions/${done}`)
    assert.equal(wrong.status, 404)
    assert.equal(wrong.body.message, `suggestions.kubeflow.org "${done}" not found`)
  })

  test('kubectl get suggestions asks for a Table: TYPE, STATUS, REQUESTED, ASSIGNED, AGE', async () => {
    const { body } = await get(`${API}/namespaces/${namespace}/suggestions`, TABLE)
    assert.deepEqual(body.columnDefinitions.map((c: any) => c.name), ['Name', 'Type', 'Status', 'Requested', 'Assigned', 'Age'])
    assert.deepEqual(body.rows[0].cells.slice(0, 5), [done, 'Succeeded', 'True', '3', '3'])
  })

  test('suggestions are read-only: 405 MethodNotAllowed Status', async () => {
    const response = await app.inject({ method: 'DELETE', url: `${API}/namespaces/${namespace}/suggestions/${done}` })
    assert.equal(response.statusCode, 405)
    assert.equal(response.json().reason, 'MethodNotAllowed')
  })
})
