import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServe } from '../helpers/serve-process.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'tunewell-serve-tokens-'))
const LONG = 'f3a9c1d07b2e4c58a61d9e0b7c3f2a15'

/** `tunewell serve` as a child process that must refuse to start: its exit code and stderr. */
function refusedServe(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
  const result = spawnSync(process.execPath, [bin, 'serve', '--port', '0', '--home', work, '--no-dashboard', ...args], {
    env: { ...process.env, TUNEWELL_TOKEN: '', TUNEWELL_ALLOWED_HOSTS: '', ...env }, encoding: 'utf8', timeout: 60_000,
  })
  return { code: result.status, stderr: result.stderr }
}

function tokensFile(name: string, text: string): string {
  const file = join(work, name)
  writeFileSync(file, text)
  return file
}

/** A GET over real HTTP with the Host header given (fetch will not send a forged one). */
function getWithHost(base: string, path: string, host: string, token: string): Promise<number> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname: '127.0.0.1', port: url.port, path, headers: { host, authorization: `Bearer ${token}` } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.once('error', reject)
    req.end()
  })
}

describe('serve: token length beyond loopback', () => {
  test('TUNEWELL_TOKEN shorter than 16 characters is refused on 0.0.0.0 with exit 2, saying how to make one, never echoing it', () => {
    const { code, stderr } = refusedServe(['--host', '0.0.0.0'], { TUNEWELL_TOKEN: 'hunter2-secret' })
    assert.equal(code, 2, stderr)
    assert.match(stderr, /refusing to listen on 0\.0\.0\.0 with a token shorter than 16 characters/)
    assert.match(stderr, /TUNEWELL_TOKEN: the admin token has 14 characters/)
    assert.match(stderr, /openssl rand -hex 32/)
    assert.doesNotMatch(stderr, /hunter2/)
  })

  test('a short token in the --tokens file is refused naming its line, beside long ones', () => {
    const file = tokensFile('short.txt', `# team\n${LONG} admin\n\nabc123 read  # dashboards\n`)
    const { code, stderr } = refusedServe(['--host', '0.0.0.0', '--tokens', file])
    assert.equal(code, 2, stderr)
    assert.match(stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: the read token has 6 characters`))
    assert.doesNotMatch(stderr, /abc123/)
  })

  test('--allowed-hosts * without a token is exit 2 (DNS rebinding would pass); with a token it serves', async () => {
    const { code, stderr } = refusedServe(['--allowed-hosts', '*'])
    assert.equal(code, 2, stderr)
    assert.match(stderr, /allowed hosts "\*" without a token would let any web page drive this server through DNS rebinding/)
    const fromEnv = refusedServe([], { TUNEWELL_ALLOWED_HOSTS: 'tune.example,*' })
    assert.equal(fromEnv.code, 2, fromEnv.stderr)
    const guarded = await startServe(['--home', work, '--no-dashboard', '--allowed-hosts', '*'], 180_000, { ...process.env, TUNEWELL_TOKEN: LONG, TUNEWELL_ALLOWED_HOSTS: '' })
    try {
      assert.equal(await getWithHost(guarded.url, '/api/v1/experiments', 'anything.example', LONG), 200)
    } finally {
      await guarded.stop()
    }
  })

  test('an --allowed-hosts value that is not a host name is exit 2', () => {
    const { code, stderr } = refusedServe(['--allowed-hosts', 'https://tune.example:443/'])
    assert.equal(code, 2, stderr)
    assert.match(stderr, /--allowed-hosts: "https:\/\/tune\.example:443\/" is not a host name/)
  })

  test('on loopback a short token still serves; beyond it a long one does, answering IPs and allowed names but not foreign ones', async () => {
    const short = await startServe(['--home', work, '--no-dashboard', '--tokens', tokensFile('loopback.txt', 'short admin\n')])
    try {
      const res = await fetch(`${short.url}/api/v1/experiments`, { headers: { authorization: 'Bearer short' } })
      assert.equal(res.status, 200)
    } finally {
      assert.equal(await short.stop(), 0, short.output.err)
    }
    const wide = await startServe(['--home', work, '--no-dashboard', '--host', '0.0.0.0', '--allowed-hosts', 'tune.example',
      '--tokens', tokensFile('long.txt', `${LONG} admin\n`)])
    try {
      const port = new URL(wide.url).port
      assert.equal(await getWithHost(wide.url, '/api/v1/experiments', `127.0.0.1:${port}`, LONG), 200)
      assert.equal(await getWithHost(wide.url, '/api/v1/experiments', `192.168.7.7:${port}`, LONG), 200)
      assert.equal(await getWithHost(wide.url, '/api/v1/experiments', 'tune.example', LONG), 200)
      assert.equal(await getWithHost(wide.url, '/api/v1/experiments', `evil.example:${port}`, LONG), 403)
    } finally {
      assert.equal(await wide.stop(), 0, wide.output.err)
    }
  })
})
