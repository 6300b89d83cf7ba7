import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { stringify as toYaml } from 'yaml'
import type { AskedTrialView } from '../../api/schemas/ask-tell.ts'
import type { ErrorBody } from '../../api/schemas/common.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { startServe } from '../helpers/serve-process.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

/**
 * A web page of any site can make a browser send requests to a server on loopback: a
 * `<form enctype="text/plain">` POST needs no preflight, and a DNS-rebinding page reaches it
 * under its own name and reads the answers. Every route that changes something is refused
 * such requests (api/plugins/content-types.ts, api/plugins/host-origin-guard.ts) and keeps
 * working for curl, the CLI and the dashboard, which send no Origin or their own.
 */
let t: TestApp
before(async () => {
  t = await openTestApp()
})
after(async () => {
  await t?.close()
})

const errorOf = (body: string) => (JSON.parse(body) as ErrorBody).error

/** Everything any request could change: every experiment, its trials with their points, and its events. */
async function snapshot(): Promise<string> {
  const experiments = await t.store.experiments.list()
  const detail = await Promise.all(experiments.map(async (e) => {
    const trials = await t.store.trials.list(e.id)
    return {
      e,
      trials: await Promise.all(trials.map(async (trial) => ({ trial, points: await t.store.observations.list(trial.id) }))),
      events: await t.store.events.list(e.id),
    }
  }))
  return JSON.stringify(detail.sort((a, b) => a.e.name.localeCompare(b.e.name)))
}

interface WriteRequest {
  readonly method: 'POST' | 'PATCH' | 'DELETE'
  readonly url: string
  /** The body's proper media type and text; none for routes without a body. */
  readonly type?: string
  readonly payload?: string
  /** The status of the request done right. */
  readonly expect: number
}

async function created(options: Parameters<typeof experimentYaml>[1] = {}): Promise<string> {
  const name = uniqueName('xs')
  const res = await postYaml(t.app, experimentYaml(name, options))
  assert.equal(res.statusCode, 201, res.body)
  return name
}

/** An ask/tell experiment with one Running trial (attempt 1). */
async function askedTrial(): Promise<{ name: string; trial: string }> {
  const name = await created({ template: false })
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials:ask` })
  assert.equal(res.statusCode, 200, res.body)
  return { name, trial: (JSON.parse(res.body) as AskedTrialView).name }
}

const json = (body: unknown) => ({ type: 'application/json', payload: JSON.stringify(body) })
const trialUrl = ({ name, trial }: { name: string; trial: string }) => `/api/v1/experiments/${name}/trials/${trial}`

/** Every route of api/routes/*.ts that changes state, each preparing fresh state for one request. */
const WRITE_ROUTES: ReadonlyArray<readonly [string, () => Promise<WriteRequest>]> = [
  ['submit POST /api/v1/experiments', async () => (
    { method: 'POST', url: '/api/v1/experiments', type: 'application/yaml', payload: experimentYaml(uniqueName('xs')), expect: 201 })],
  ['validate POST /api/v1/experiments:validate', async () => (
    { method: 'POST', url: '/api/v1/experiments:validate', type: 'application/yaml', payload: experimentYaml(uniqueName('xs')), expect: 200 })],
  ['PATCH /api/v1/experiments/{name}', async () => (
    { method: 'PATCH', url: `/api/v1/experiments/${await created()}`, type: 'application/merge-patch+json', payload: '{"spec":{"maxTrialCount":20}}', expect: 200 })],
  ['stop POST /api/v1/experiments/{name}:stop', async () => ({ method: 'POST', url: `/api/v1/experiments/${await created()}:stop`, expect: 200 })],
  ['resume POST /api/v1/experiments/{name}:resume', async () => {
    const name = await created({ resumePolicy: 'LongRunning' })
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}:stop` })).statusCode, 200)
    return { method: 'POST', url: `/api/v1/experiments/${name}:resume`, expect: 200 }
  }],
  ['delete DELETE /api/v1/experiments/{name}', async () => ({ method: 'DELETE', url: `/api/v1/experiments/${await created()}`, expect: 204 })],
  ['kill POST .../trials/{trial}:kill', async () => ({ method: 'POST', url: `${trialUrl(await askedTrial())}:kill`, expect: 200 })],
  ['ask POST .../trials:ask', async () => (
    { method: 'POST', url: `/api/v1/experiments/${await created({ template: false })}/trials:ask`, ...json({ worker: 'w' }), expect: 200 })],
  ['tell POST .../trials/{trial}:tell', async () => ({ method: 'POST', url: `${trialUrl(await askedTrial())}:tell`, ...json({ attempt: 1, value: 0.5 }), expect: 200 })],
  ['heartbeat POST .../trials/{trial}:heartbeat', async () => {
    const asked = await askedTrial()
    // The heartbeat must visibly move heartbeatAt, so a refused one is told apart by the snapshot.
    await sleep(5)
    return { method: 'POST', url: `${trialUrl(asked)}:heartbeat`, ...json({ attempt: 1 }), expect: 200 }
  }],
  ['push POST .../trials/{trial}/observations', async () => (
    { method: 'POST', url: `${trialUrl(await askedTrial())}/observations`, ...json({ attempt: 1, points: [{ metric: 'loss', step: 0, value: 1 }] }), expect: 200 })],
]

function send(r: WriteRequest, headers: Record<string, string>, body: { type?: string; payload?: string } = r) {
  return t.app.inject({
    method: r.method,
    url: r.url,
    headers: { host: '127.0.0.1:8080', ...(body.type !== undefined ? { 'content-type': body.type } : {}), ...headers },
    ...(body.payload !== undefined ? { payload: body.payload } : {}),
  })
}

/** Sends a request that must be refused, and checks the answer and that nothing changed. */
async function refused(r: WriteRequest, headers: Record<string, string>, status: number, code: string, body?: { type?: string; payload?: string }): Promise<string> {
  const before = await snapshot()
  const res = await send(r, headers, body)
  assert.equal(res.statusCode, status, `${r.method} ${r.url} with ${JSON.stringify(headers)}: ${res.body}`)
  assert.match(String(res.headers['content-type']), /^application\/json/)
  const error = errorOf(res.body)
  assert.equal(error.code, code)
  assert.equal(await snapshot(), before, `${r.method} ${r.url} changed state although refused`)
  return error.message
}

describe('every write route', () => {
  for (const [route, prepare] of WRITE_ROUTES) {
    test(`${route}: text/plain is 415, a foreign Origin or Host 403, nothing changes; without Origin, or from its own page, it works`, async () => {
      const r = await prepare()
      // (a) What a <form enctype="text/plain"> sends; for routes without a body, any text.
      const plain = await refused(r, {}, 415, 'UNSUPPORTED_MEDIA_TYPE', { type: 'text/plain', payload: r.payload ?? 'x=1' })
      assert.match(plain, /text\/plain.*application\/json.*application\/yaml/)
      await refused(r, {}, 415, 'UNSUPPORTED_MEDIA_TYPE', { type: 'application/x-www-form-urlencoded', payload: 'a=1' })
      await refused(r, {}, 415, 'UNSUPPORTED_MEDIA_TYPE', { type: 'multipart/form-data; boundary=x', payload: '--x--' })
      // (b) A page of another site, whatever the media type.
      const origin = await refused(r, { origin: 'http://evil.example' }, 403, 'CROSS_ORIGIN')
      assert.match(origin, /http:\/\/evil\.example/)
      assert.match(origin, /without an Origin header/)
      await refused(r, { origin: 'null' }, 403, 'CROSS_ORIGIN')
      await refused(r, { origin: 'http://localhost:3000' }, 403, 'CROSS_ORIGIN')
      await refused(r, { 'sec-fetch-site': 'cross-site' }, 403, 'CROSS_ORIGIN')
      await refused(r, { origin: 'http://evil.example' }, 403, 'CROSS_ORIGIN', { type: 'text/plain', payload: r.payload ?? 'x=1' })
      // (c) DNS rebinding: the browser addresses the attacker's name, which now points here.
      const host = await refused(r, { host: 'evil.example:8080' }, 403, 'HOST_NOT_ALLOWED')
      assert.match(host, /--allowed-hosts evil\.example/)
      await refused(r, { host: 'evil.example:8080', origin: 'http://evil.example:8080' }, 403, 'HOST_NOT_ALLOWED')
      // (d) curl, the CLI and workers send no Origin; the dashboard sends its own.
      const plainClient = await send(r, {})
      assert.equal(plainClient.statusCode, r.expect, plainClient.body)
      const page = await send(await prepare(), { origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' })
      assert.equal(page.statusCode, r.expect, page.body)
    })
  }
})

describe('bodies', () => {
  test('a JSON body that is a string is not read as YAML, on submit nor on validate', async () => {
    const name = uniqueName('xs')
    const before = await snapshot()
    for (const url of ['/api/v1/experiments', '/api/v1/experiments:validate']) {
      for (const type of ['application/json', 'application/merge-patch+json']) {
        const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload: JSON.stringify(experimentYaml(name)) })
        // A string is no Experiment: refused, or on validate, not valid.
        if (url.endsWith(':validate') && res.statusCode === 200) assert.equal((JSON.parse(res.body) as { valid: boolean }).valid, false, res.body)
        else assert.ok(res.statusCode === 400 || res.statusCode === 422, `${url} ${type}: ${res.statusCode} ${res.body}`)
      }
    }
    assert.equal(await t.store.experiments.getByName(name), undefined)
    assert.equal(await snapshot(), before)
  })

  test('a body without Content-Type is 415; YAML with parameters and every YAML alias still work', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/experiments', payload: Buffer.from(experimentYaml(uniqueName('xs'))) })
    assert.equal(res.statusCode, 415, res.body)
    assert.match(errorOf(res.body).message, /without a Content-Type header/)
    for (const type of ['application/yaml; charset=utf-8', 'application/x-yaml', 'text/yaml', 'TEXT/X-YAML']) {
      const ok = await postYaml(t.app, experimentYaml(uniqueName('xs')), { 'content-type': type })
      assert.equal(ok.statusCode, 201, `${type}: ${ok.body}`)
    }
  })
})

describe('hosts', () => {
  test('reads are refused under a foreign Host too (a rebinding page reads the answers), not for a foreign Origin', async () => {
    const name = await created()
    for (const url of [`/api/v1/experiments/${name}`, '/api/v1/experiments', '/api/v1/events', '/healthz']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { host: 'evil.example' } })
      assert.equal(res.statusCode, 403, `${url}: ${res.body}`)
      assert.equal(errorOf(res.body).code, 'HOST_NOT_ALLOWED')
    }
    // A cross-origin read gets no CORS headers, so the browser keeps the answer from the page.
    const read = await t.app.inject({ method: 'GET', url: `/api/v1/experiments/${name}`, headers: { origin: 'http://evil.example' } })
    assert.equal(read.statusCode, 200)
    assert.equal(read.headers['access-control-allow-origin'], undefined)
  })

  test('on loopback: loopback names and addresses with any port are answered, other names and IPs are not', async () => {
    for (const host of ['localhost', 'localhost:8080', 'LOCALHOST.:1', 'app.localhost:5173', '127.0.0.1', '127.1.2.3:80', '[::1]:8080', '[::ffff:127.0.0.1]']) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/experiments?limit=1', headers: { host } })
      assert.equal(res.statusCode, 200, `${host}: ${res.body}`)
    }
    for (const host of ['evil.example', 'localhost.evil.example', '192.168.1.20:8080', '[fe80::1]', 'bad host', 'a:b:c']) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/experiments?limit=1', headers: { host } })
      assert.equal(res.statusCode, 403, `${host}: ${res.body}`)
    }
  })

  test('allowed hosts: a named host and its Origin are answered (a proxy), `.domain` covers subdomains, `*` any Host but no foreign Origin', async () => {
    const proxied = await openAppOn({ allowedHosts: ['tune.example', '.corp.example'] })
    try {
      const yaml = experimentYaml(uniqueName('xs'))
      const post = (headers: Record<string, string>) =>
        proxied.inject({ method: 'POST', url: '/api/v1/experiments:validate', headers: { 'content-type': 'application/yaml', ...headers }, payload: yaml })
      assert.equal((await post({ host: 'tune.example', origin: 'https://tune.example' })).statusCode, 200)
      assert.equal((await post({ host: 'a.corp.example:443', origin: 'https://a.corp.example' })).statusCode, 200)
      // A proxy that rewrites Host to the upstream's: the Origin is the name the operator allowed.
      assert.equal((await post({ host: '127.0.0.1:8080', origin: 'https://tune.example' })).statusCode, 200)
      assert.equal((await post({ host: 'other.example' })).statusCode, 403)
      assert.equal((await post({ host: 'tune.example', origin: 'https://evil.example' })).statusCode, 403)
    } finally {
      await proxied.close()
    }
    const any = await openAppOn({ allowedHosts: ['*'] })
    try {
      const res = await any.inject({ method: 'GET', url: '/healthz', headers: { host: 'whatever.example' } })
      assert.equal(res.statusCode, 200)
      const foreign = await any.inject({ method: 'POST', url: '/api/v1/experiments:validate', headers: { host: 'whatever.example', origin: 'http://evil.example', 'content-type': 'application/json' }, payload: '{}' })
      assert.equal(foreign.statusCode, 403)
    } finally {
      await any.close()
    }
  })

  test('listening beyond loopback: any IP literal and this machine\'s name are answered as well, other names are not', async () => {
    const wide = await openAppOn({ listenHost: '0.0.0.0' })
    try {
      for (const host of ['192.168.1.20:8080', '10.0.0.1', '[fe80::1]:8080', hostname(), 'localhost']) {
        const res = await wide.inject({ method: 'GET', url: '/healthz', headers: { host } })
        assert.equal(res.statusCode, 200, `${host}: ${res.body}`)
      }
      const res = await wide.inject({ method: 'GET', url: '/healthz', headers: { host: 'evil.example' } })
      assert.equal(res.statusCode, 403)
      assert.match(errorOf(res.body).message, /any IP address/)
    } finally {
      await wide.close()
    }
  })
})

/** A second app on the same store with other host options (buildApp costs nothing more). */
async function openAppOn(options: { listenHost?: string; allowedHosts?: string[] }) {
  const { buildApp } = await import('../../api/app.ts')
  return buildApp({ store: t.store, ...options })
}

interface RawAnswer {
  readonly status: number
  readonly body: string
}

/** A request over real HTTP with any headers, Host included (fetch will not send a forged one). */
function raw(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawAnswer> {
  const url = new URL(path, base)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname: url.hostname, port: url.port, path: url.pathname, method, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.once('error', reject)
    req.end(body)
  })
}

describe('a real `tunewell serve`', () => {
  test('a text/plain POST of an Experiment whose command writes a file stores nothing and runs nothing; forged Host and Origin are refused', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tunewell-cross-site-'))
    const marker = join(home, 'pwned')
    const name = uniqueName('pwn')
    const experiment = quadraticExperiment({
      name, max: 1, parallel: 1,
      command: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); console.log('loss=1')`, '${trialParameters.x}', '${trialParameters.y}'],
    })
    const server = await startServe(['--home', home, '--no-dashboard'])
    try {
      const yaml = toYaml(experiment)
      // What a page of any site can send without a preflight, as YAML and as a JSON text body.
      for (const payload of [yaml, JSON.stringify(experiment)]) {
        const plain = await fetch(`${server.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'http://evil.example' }, body: payload })
        assert.equal(plain.status, 403, await plain.clone().text())
        const noOrigin = await fetch(`${server.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: payload })
        assert.equal(noOrigin.status, 415, await noOrigin.clone().text())
        assert.equal(errorOf(await noOrigin.text()).code, 'UNSUPPORTED_MEDIA_TYPE')
      }
      // A rebinding page: the right media type and no Origin, but the attacker's name as Host.
      const rebound = await raw(server.url, 'POST', '/api/v1/experiments', { host: 'evil.example:8080', 'content-type': 'application/yaml' }, yaml)
      assert.equal(rebound.status, 403, rebound.body)
      assert.equal(errorOf(rebound.body).code, 'HOST_NOT_ALLOWED')
      const foreign = await raw(server.url, 'POST', '/api/v1/experiments', { 'content-type': 'application/yaml', origin: 'http://evil.example' }, yaml)
      assert.equal(foreign.status, 403, foreign.body)
      assert.equal(errorOf(foreign.body).code, 'CROSS_ORIGIN')
      const missing = await fetch(`${server.url}/api/v1/experiments/${name}`)
      assert.equal(missing.status, 404)
      // An HTTP/1.0 request without Host comes from no browser: answered.
      const bare = await rawHttp10(server.url, 'GET /healthz HTTP/1.0\r\n\r\n')
      assert.match(bare, /^HTTP\/1\.1 200/)

      // The same experiment from this machine's own client runs: the command above does write the file.
      assert.equal(existsSync(marker), false)
      const own = await fetch(`${server.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yaml })
      assert.equal(own.status, 201, await own.clone().text())
      const deadline = Date.now() + 120_000
      while (!existsSync(marker) && Date.now() < deadline) await sleep(100)
      assert.ok(existsSync(marker), 'the trial of the experiment submitted properly ran')
    } finally {
      assert.equal(await server.stop(), 0, server.output.err)
    }
  })
})

function rawHttp10(base: string, text: string): Promise<string> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(text))
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.once('end', () => resolve(answer))
    socket.once('error', reject)
  })
}
