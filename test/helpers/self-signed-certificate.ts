import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** `false` when openssl can make a certificate, else the reason to skip. */
export function opensslSkip(): false | string {
  const probe = spawnSync('openssl', ['version'], { encoding: 'utf8', timeout: 30_000 })
  return probe.error || probe.status !== 0 ? `openssl does not run (${probe.error?.message ?? probe.stderr}); it makes the test's certificate` : false
}

/** A fresh self-signed certificate for 127.0.0.1 (its own CA), as the docs tell users to make one with openssl: the PEM files' paths. */
export function selfSignedCertificate(): { readonly cert: string; readonly key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tunewell-tls-'))
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  const made = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { encoding: 'utf8', timeout: 60_000 })
  if (made.status !== 0) throw new Error(`openssl req failed: ${made.stderr}`)
  return { cert, key }
}
