import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { parse } from 'yaml'
import { kubectlSkip, KubectlServe } from '../helpers/kubectl-serve.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

/**
 * Discovery and OpenAPI on the kube paths: over HTTP as a Kubernetes API server answers them
 * (inject), then read by a real kubectl against a `tunewell serve` child (api-resources, version,
 * explain, get, and create's server-side field validation, which kubectl uses only when the
 * OpenAPI document says the server does it).
 */

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'
const PROTOBUF_V2 = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf'

describe('discovery and OpenAPI over HTTP', () => {
  let t: TestApp
  let app: FastifyInstance
  before(async () => {
    t = await openTestApp({ tokens: [{ token: 'admin-token', role: 'admin' }] })
    app = t.app
  })
  after(() => t.close())

  const auth = { authorization: 'Bearer admin-token' }
  async function get(url: string, accept?: string) {
    const response = await app.inject({ method: 'GET', url, headers: { ...auth, ...(accept ? { accept } : {}) } })
    return { status: response.statusCode, headers: response.headers, text: response.body, json: () => response.json() as Record<string, any> }
  }

  test('/version names the Kubernetes minor spoken and Tunewell as build metadata', async () => {
    const { status, json } = await get('/version')
    assert.equal(status, 200)
    const version = json()
    assert.equal(version.major, '1')
    assert.match(version.gitVersion, new RegExp(`^v1\\.${version.minor}\\.0\\+tunewell\\.\\d+\\.\\d+\\.\\d+`))
    assert.match(version.platform, /^\w+\/\w+$/)
  })

  test('/api and /apis: legacy JSON for plain clients, aggregated discovery with its content type for those that ask', async () => {
    const legacyApi = await get('/api', 'application/json, */*')
    assert.equal(legacyApi.json().kind, 'APIVersions')
    assert.deepEqual(legacyApi.json().versions, ['v1'])
    const legacyApis = await get('/apis')
    assert.equal(legacyApis.json().kind, 'APIGroupList')
    assert.equal(legacyApis.headers.vary, 'Accept')

    for (const path of ['/api', '/apis']) {
      const aggregated = await get(path, AGGREGATED)
      assert.equal(aggregated.status, 200)
      assert.match(String(aggregated.headers['content-type']), /^application\/json;g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList/)
      assert.equal(aggregated.json().kind, 'APIGroupDiscoveryList')
    }
    const beta = await get('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList')
    assert.equal(beta.json().apiVersion, 'apidiscovery.k8s.io/v2beta1')
  })

  test('group and group-version documents', async () => {
    assert.equal((await get('/apis/kubeflow.org')).json().preferredVersion.groupVersion, 'kubeflow.org/v1beta1')
    const resources = (await get('/apis/kubeflow.org/v1beta1')).json()
    assert.deepEqual(resources.resources.map((r: { name: string }) => r.name).sort(), [
      'experiments', 'experiments/status', 'suggestions', 'suggestions/status', 'trials', 'trials/status',
    ])
    assert.equal((await get('/api/v1')).json().groupVersion, 'v1')
  })

  test('discovery needs the token like any other path, and refuses as a Status', async () => {
    const response = await app.inject({ method: 'GET', url: '/apis' })
    assert.equal(response.statusCode, 401)
    assert.equal(response.json().kind, 'Status')
    assert.equal(response.json().reason, 'Unauthorized')
  })

  test('an unknown group or version is a NotFound Status', async () => {
    for (const path of ['/apis/example.com', '/apis/kubeflow.org/v1', '/openapi/v3/apis/example.com/v1']) {
      const { status, json } = await get(path)
      assert.equal(status, 404, path)
      assert.equal(json().kind, 'Status', path)
    }
  })

  test('/openapi/v3 names the group version by a hashed URL that is served immutable; a stale hash redirects', async () => {
    const index = (await get('/openapi/v3', 'application/json')).json()
    const url = index.paths['apis/kubeflow.org/v1beta1'].serverRelativeURL as string
    assert.match(url, /^\/openapi\/v3\/apis\/kubeflow\.org\/v1beta1\?hash=[0-9A-F]{128}$/)
    const document = await get(url, 'application/json')
    assert.equal(document.status, 200)
    assert.match(String(document.headers['cache-control']), /immutable/)
    assert.ok(document.json().components.schemas['org.kubeflow.v1beta1.Experiment'])
    const core = await get(index.paths['api/v1'].serverRelativeURL as string, 'application/json')
    assert.ok(core.json().components.schemas['io.k8s.api.core.v1.Namespace'])
    const unhashed = await get('/openapi/v3/apis/kubeflow.org/v1beta1')
    assert.equal(unhashed.text, document.text)
    const stale = await get('/openapi/v3/apis/kubeflow.org/v1beta1?hash=ABC')
    assert.equal(stale.status, 301)
    assert.equal(stale.headers.location, url)
  })

  test('/openapi/v2 is JSON; asked only in protobuf it is 406 NotAcceptable, so client-go falls back', async () => {
    const v2 = await get('/openapi/v2', 'application/json')
    assert.equal(v2.status, 200)
    assert.equal(v2.json().swagger, '2.0')
    const refused = await get('/openapi/v2', PROTOBUF_V2)
    assert.equal(refused.status, 406)
    assert.equal(refused.json().kind, 'Status')
    assert.equal(refused.json().reason, 'NotAcceptable')
  })

  test('the REST API beside it is untouched: /api/v1/experiments still answers its own shape', async () => {
    const name = uniqueName('disc')
    const created = await postYaml(app, experimentYaml(name), auth)
    assert.equal(created.statusCode, 201, created.body)
    const listed = await get('/api/v1/experiments')
    assert.equal(listed.status, 200)
    assert.ok(JSON.stringify(listed.json()).includes(name))
    assert.equal(listed.json().kind, undefined)
  })

  test("the REST API's OpenAPI document leaves out the kube paths (they answer Status objects; /openapi/v3 describes them)", async () => {
    const paths = Object.keys((await get('/api/v1/openapi.json')).json().paths as Record<string, unknown>)
    assert.ok(paths.includes('/api/v1/experiments'))
    assert.deepEqual(paths.filter((p) => p.startsWith('/apis') || p.startsWith('/api/v1/namespaces') || p.startsWith('/openapi') || p === '/version'), [])
  })
})

const skip = kubectlSkip()

describe('kubectl reads discovery and OpenAPI from tunewell serve', { skip }, () => {
  let serve: KubectlServe
  before(async () => {
    serve = await KubectlServe.start()
  })
  after(() => serve?.stop())

  async function kubectl(...args: string[]) {
    const result = await serve.kubectl(args)
    return { ...result, ok: () => (assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`), result.stdout) }
  }

  test('kubectl api-resources lists our kinds with short names, scope and verbs; categories select them', async () => {
    const out = (await kubectl('api-resources', '-o', 'wide')).ok()
    const line = (name: string) => out.split('\n').find((l) => l.startsWith(`${name} `)) ?? ''
    assert.match(line('experiments'), /^experiments\s+exp\s+kubeflow\.org\/v1beta1\s+true\s+Experiment\s+create,delete,get,list,patch,update,watch\s+all,kubeflow,katib/)
    assert.match(line('trials'), /^trials\s+kubeflow\.org\/v1beta1\s+true\s+Trial\s+get,list,watch\s+all,kubeflow,katib/)
    assert.match(line('namespaces'), /^namespaces\s+ns\s+v1\s+false\s+Namespace/)
    const katib = (await kubectl('api-resources', '--categories=katib', '-o', 'name')).ok()
    assert.deepEqual(katib.trim().split('\n').sort(), ['experiments.kubeflow.org', 'suggestions.kubeflow.org', 'trials.kubeflow.org'])
  })

  test('kubectl version shows the server, without a skew warning', async () => {
    const result = await kubectl('version', '-o', 'json')
    const version = JSON.parse(result.ok()) as { serverVersion: { gitVersion: string } }
    assert.match(version.serverVersion.gitVersion, /^v1\.\d+\.0\+tunewell\./)
    assert.doesNotMatch(result.stderr, /WARNING.*version difference/)
  })

  test("kubectl explain walks the Experiment's schema from the OpenAPI v3 document", async () => {
    const spec = (await kubectl('explain', 'experiment.spec')).ok()
    assert.match(spec, /GROUP:\s+kubeflow\.org/)
    assert.match(spec, /KIND:\s+Experiment/)
    for (const field of ['objective', 'algorithm', 'parameters', 'trialTemplate', 'maxTrialCount', 'parallelTrialCount']) {
      assert.match(spec, new RegExp(`^\\s+${field}\\s+<`, 'm'), field)
    }
    const objective = (await kubectl('explain', 'exp.spec.objective.type')).ok()
    assert.match(objective, /FIELD:\s+type <string>/)
    assert.match(objective, /maximize/)
    const metadata = (await kubectl('explain', 'experiment.metadata.labels')).ok()
    assert.match(metadata, /FIELD:\s+labels <map\[string\]string>/)
    const trial = (await kubectl('explain', 'trial.spec')).ok()
    assert.match(trial, /KIND:\s+Trial/)
    assert.match(trial, /^\s+parameterAssignments\s+<\[\]Object>/m)
    const suggestion = (await kubectl('explain', 'suggestion.status')).ok()
    assert.match(suggestion, /^\s+suggestionCount\s+<integer>/m)
    const events = (await kubectl('explain', 'events.involvedObject')).ok()
    assert.match(events, /KIND:\s+Event/)
    assert.match(events, /^\s+uid\s+<string>/m)
    assert.match((await kubectl('explain', 'ns')).ok(), /KIND:\s+Namespace/)
    const missing = await kubectl('explain', 'experiment.spec.nosuchfield')
    assert.notEqual(missing.code, 0)
    assert.match(missing.stderr, /nosuchfield/)
  })

  test('kubectl get exp by its short name prints the Table columns (TYPE, STATUS, OBJECTIVE, AGE)', async () => {
    const name = uniqueName('disc-get')
    // No trialTemplate: trials are asked for and told over HTTP, so the best objective value is known.
    const created = await serve.rest('/api/v1/experiments', { method: 'POST', body: experimentYaml(name, { template: false, max: 4 }), headers: { 'content-type': 'application/yaml' } })
    assert.equal(created.status, 201, await created.text())
    const told = new Map<number, string>()
    for (const value of [0.5, 0.25, 0.75]) {
      const asked = await serve.rest(`/api/v1/experiments/${name}/trials:ask`, { method: 'POST', body: '{}' })
      assert.equal(asked.status, 200, await asked.clone().text())
      const trial = ((await asked.json()) as { name: string }).name
      const tell = await serve.rest(`/api/v1/experiments/${name}/trials/${trial}:tell`, { method: 'POST', body: JSON.stringify({ value }) })
      assert.equal(tell.status, 200, await tell.text())
      told.set(value, trial)
    }
    const table = (await kubectl('get', 'exp', name)).ok()
    const [header, row] = table.trim().split('\n')
    assert.deepEqual(header!.trim().split(/\s+/), ['NAME', 'TYPE', 'STATUS', 'OBJECTIVE', 'AGE'])
    // The lowest loss told (minimize, so the metric's min), under OBJECTIVE.
    assert.match(row!, new RegExp(`^${name}\\s+Running\\s+True\\s+0\\.25\\s+\\d+s`))
    const wide = (await kubectl('get', 'experiments.kubeflow.org', name, '-o', 'wide')).ok()
    const [wideHeader, wideRow] = wide.trim().split('\n')
    assert.deepEqual(wideHeader!.trim().split(/\s+/), ['NAME', 'TYPE', 'STATUS', 'OBJECTIVE', 'AGE', 'TRIALS', 'SUCCEEDED', 'BEST'])
    // Three told, so three succeeded (TRIALS may count one more the algorithm already suggested).
    assert.match(wideRow!, new RegExp(`\\s\\d+\\s+3\\s+${told.get(0.25)}$`))
    const katib = (await kubectl('get', 'katib')).ok()
    assert.match(katib, new RegExp(`experiment\\.kubeflow\\.org/${name}`))
  })

  test('kubectl create validates through the server (fieldValidation=Strict), naming an unknown field', async () => {
    const name = uniqueName('disc-strict')
    const document = parse(experimentYaml(name, { template: false })) as { spec: Record<string, unknown> }
    document.spec.maxTrialCountt = 3
    const file = serve.file(`${name}.json`, JSON.stringify(document))
    const result = await kubectl('create', '-f', file, '-v=6')
    assert.notEqual(result.code, 0)
    assert.match(result.stderr, /POST [^ ]*\/apis\/kubeflow\.org\/v1beta1\/namespaces\/default\/experiments\?[^ ]*fieldValidation=Strict/)
    assert.match(result.stderr, /unknown field "spec\.maxTrialCountt"/)
  })
})
