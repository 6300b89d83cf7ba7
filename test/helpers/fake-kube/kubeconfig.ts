import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'

export interface KubeconfigFile {
  server: string
  /** PEM of the server's CA; absent for plain http, which then needs insecure-skip-tls-verify. */
  caPem?: string
  token: string
  namespace: string
  context: string
}

/** Writes a kubeconfig with one cluster, one token user and one context (with a namespace). */
export function writeKubeconfig(dir: string, file: KubeconfigFile): string {
  const path = join(dir, 'kubeconfig')
  const cluster: Record<string, unknown> = { server: file.server }
  if (file.caPem) cluster['certificate-authority-data'] = Buffer.from(file.caPem).toString('base64')
  else cluster['insecure-skip-tls-verify'] = true
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: file.context, cluster }],
    users: [{ name: `${file.context}-user`, user: { token: file.token } }],
    contexts: [{ name: file.context, context: { cluster: file.context, user: `${file.context}-user`, namespace: file.namespace } }],
    'current-context': file.context,
    preferences: {},
  }
  writeFileSync(path, stringify(config), { mode: 0o600 })
  return path
}
