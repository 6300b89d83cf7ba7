import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { get } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { kubectlBin, kubectlSkip } from '../helpers/kubectl-serve.ts'
import { opensslSkip, selfSignedCertificate } from '../helpers/self-signed-certificate.ts'
import { startServe, type ServeProcess } from '../helpers/serve-process.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const skip = opensslSkip() || kubectlSkip()

/** `tunewell serve` with these arguments, expected to refuse them: its exit code and stderr. */
function refusedServe(args: readonly string[]): { code: number | null; stderr: string } {
  const home = mkdtempSync(join(tmpdir(), 'tunewell-https-'))
  const ran = spawnSync(process.execPath, [bin, 'serve', '--port', '0', '--home', home, '--no-dashboard', ...args], { encoding: 'utf8', timeout: 120_000 })
  return { code: ran.status, stderr: ran.stderr }
}

describe('serve --tls-cert/--tls-key: https, so kubectl sends its token', { skip }, () => {
  const token = randomBytes(16).toString('hex')
  let tls: { cert: string; key: string }
  let serve: ServeProcess
  let dir: string

  before(async () => {
    tls = selfSignedCertificate()
    dir = mkdtempSync(join(tmpdir(), 'tunewell-https-'))
    const env: NodeJS.ProcessEnv = { ...process.env, TUNEWELL_TOKEN: token }
    delete env.DATABASE_URL
    serve = await startServe(['--home', dir, '--no-dashboard', '--tls-cert', tls.cert, '--tls-key', tls.key], 180_000, env)
  })
  after(async () => {
    await serve?.stop()
  })

  test('it listens on https with the certificate given', async () => {
    assert.match(serve.url, /^https:\/\/127\.0\.0\.1:\d+$/)
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(`${serve.url}/healthz`, { ca: readFileSync(tls.cert) }, (response) => {
        response.resume()
        resolve(response.statusCode)
      }).once('error', reject)
    })
    assert.equal(status, 200)
  })

  test('kubectl with the kubeconfig tunewell prints (its CA embedded) gets in with the token, and not with another', () => {
    const kubeconfig = (args: string[]) => {
      const printed = spawnSync(process.execPath, [bin, 'kubeconfig', '--certificate-authority', tls.cert, ...args], {
        env: { ...process.env, TUNEWELL_SERVER: serve.url, TUNEWELL_TOKEN: token }, encoding: 'utf8', timeout: 60_000,
      })
      assert.equal(printed.status, 0, printed.stderr)
      const path = join(dir, `kc-${randomBytes(4).toString('hex')}`)
      writeFileSync(path, printed.stdout)
      return path
    }
    const kubectl = (path: string) => spawnSync(kubectlBin, ['get', 'experiments', '-A'], {
      env: { ...process.env, KUBECONFIG: path, KUBECACHEDIR: join(dir, 'cache') }, encoding: 'utf8', timeout: 120_000,
    })
    const good = kubectl(kubeconfig([]))
    assert.equal(good.status, 0, good.stderr)
    assert.match(good.stderr + good.stdout, /No resources found/)
    const bad = kubectl(kubeconfig(['--token', 'not-the-token-at-all-0123456789']))
    assert.notEqual(bad.status, 0)
    assert.match(bad.stderr, /Unauthorized|must be logged in/)
  })
})

describe('serve refuses TLS options it cannot use, before listening', { skip: opensslSkip() }, () => {
  test('a certificate without its key', () => {
    const { cert } = selfSignedCertificate()
    const { code, stderr } = refusedServe(['--tls-cert', cert])
    assert.equal(code, 2)
    assert.match(stderr, /--tls-cert and --tls-key go together.*give the key too/)
  })

  test('a file that is not there, or holds no PEM block, or a key of another certificate', () => {
    const a = selfSignedCertificate()
    const b = selfSignedCertificate()
    const missing = refusedServe(['--tls-cert', join(tmpdir(), 'no-such-cert.pem'), '--tls-key', a.key])
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /cannot read the TLS certificate .*no-such-cert\.pem: ENOENT/)
    const notPem = refusedServe(['--tls-cert', a.key, '--tls-key', a.key])
    assert.equal(notPem.code, 2)
    assert.match(notPem.stderr, /holds no PEM CERTIFICATE block/)
    const mismatch = refusedServe(['--tls-cert', a.cert, '--tls-key', b.key])
    assert.equal(mismatch.code, 2)
    assert.match(mismatch.stderr, /cannot be used together/)
  })
})
