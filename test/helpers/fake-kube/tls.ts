import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ServingCertificate {
  cert: string
  key: string
}

let cached: ServingCertificate | undefined

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made once per process with `openssl`
 * (an EC key: a few milliseconds). The kubeconfig carries it as the cluster's CA, so the client
 * verifies TLS as it would against a real cluster.
 */
export function servingCertificate(): ServingCertificate {
  if (cached) return cached
  const dir = mkdtempSync(join(tmpdir(), 'fake-kube-tls-'))
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2',
        '-subj', '/CN=fake-kube', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext', 'basicConstraints=critical,CA:TRUE',
      ],
      { stdio: 'ignore' },
    )
    cached = { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') }
    return cached
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
