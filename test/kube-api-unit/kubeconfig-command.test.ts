import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { parse } from 'yaml'
import { kubeconfigCommand, type KubeconfigOptions } from '../../cli/kubeconfig-command.ts'

interface Config {
  apiVersion: string
  kind: string
  clusters: { name: string; cluster: Record<string, unknown> }[]
  users: { name: string; user: Record<string, unknown> }[]
  contexts: { name: string; context: { cluster: string; user: string; namespace: string } }[]
  'current-context': string
}

function run(options: KubeconfigOptions, env: NodeJS.ProcessEnv = {}): { code: number; out: string; err: string } {
  const out = new PassThrough()
  const err = new PassThrough()
  const code = kubeconfigCommand(options, { out, err }, env)
  return { code, out: String(out.read() ?? ''), err: String(err.read() ?? '') }
}

/** The cluster, user and namespace kubectl would use: what the current context points at. */
function resolved(text: string) {
  const config = parse(text) as Config
  assert.equal(config.apiVersion, 'v1')
  assert.equal(config.kind, 'Config')
  const context = config.contexts.find((c) => c.name === config['current-context'])!.context
  return {
    cluster: config.clusters.find((c) => c.name === context.cluster)!.cluster,
    user: config.users.find((u) => u.name === context.user)!.user,
    namespace: context.namespace,
    names: [config['current-context'], context.cluster, context.user],
  }
}

describe('tunewell kubeconfig', () => {
  test('the server and token of the other server commands, options first, then TUNEWELL_SERVER and TUNEWELL_TOKEN', () => {
    const fromEnv = run({}, { TUNEWELL_SERVER: 'http://127.0.0.1:9000/', TUNEWELL_TOKEN: 'env-token' })
    assert.equal(fromEnv.code, 0)
    const a = resolved(fromEnv.out)
    // The trailing slash dropped: kubectl would otherwise ask for //api.
    assert.deepEqual(a.cluster, { server: 'http://127.0.0.1:9000' })
    assert.deepEqual(a.user, { token: 'env-token' })
    assert.equal(a.namespace, 'default')

    const fromFlags = run({ server: 'https://tunewell.example:8443', token: 'flag-token', namespace: 'team-a', context: 'lab' }, { TUNEWELL_SERVER: 'http://127.0.0.1:9000', TUNEWELL_TOKEN: 'env-token' })
    assert.equal(fromFlags.code, 0)
    const b = resolved(fromFlags.out)
    assert.equal(b.cluster.server, 'https://tunewell.example:8443')
    assert.deepEqual(b.user, { token: 'flag-token' })
    assert.equal(b.namespace, 'team-a')
    assert.deepEqual(b.names, ['lab', 'lab', 'lab'])
    assert.equal(fromFlags.err, '')
  })

  test('without any setting: the default server, no credentials and no TLS fields', () => {
    const result = run({})
    assert.equal(result.code, 0)
    const config = resolved(result.out)
    assert.deepEqual(config.cluster, { server: 'http://127.0.0.1:8080' })
    assert.deepEqual(config.user, {})
    assert.equal(result.err, '')
  })

  test('a token for a plain http server is written, with a warning that kubectl will not send it', () => {
    const result = run({ server: 'http://127.0.0.1:8080', token: 't' })
    assert.equal(result.code, 0)
    assert.deepEqual(resolved(result.out).user, { token: 't' })
    assert.match(result.err, /kubectl sends no token to a plain http server/)
  })

  test('an https server: its CA embedded, or certificate checks off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tunewell-kubeconfig-'))
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
    writeFileSync(join(dir, 'ca.pem'), pem)
    const withCa = resolved(run({ server: 'https://127.0.0.1:8443', certificateAuthority: join(dir, 'ca.pem') }).out)
    assert.equal(Buffer.from(String(withCa.cluster['certificate-authority-data']), 'base64').toString(), pem)
    const insecure = resolved(run({ server: 'https://127.0.0.1:8443', insecureSkipTlsVerify: true }).out)
    assert.equal(insecure.cluster['insecure-skip-tls-verify'], true)

    const notPem = join(dir, 'not.pem')
    writeFileSync(notPem, 'hello')
    const refused = run({ server: 'https://127.0.0.1:8443', certificateAuthority: notPem })
    assert.equal(refused.code, 2)
    assert.match(refused.err, /not a PEM certificate/)
  })

  test('bad input is exit 2 with the option named, and nothing on stdout', () => {
    for (const [options, message] of [
      [{ server: 'localhost:8080' }, /--server must be the server's URL/],
      [{ namespace: 'Team_A' }, /--namespace must be a Kubernetes namespace name/],
      [{ context: ' ' }, /--context must not be empty/],
      [{ server: 'http://127.0.0.1:8080', insecureSkipTlsVerify: true }, /are for an https server/],
    ] as const) {
      const result = run(options)
      assert.equal(result.code, 2, JSON.stringify(options))
      assert.match(result.err, message)
      assert.equal(result.out, '')
    }
  })
})
