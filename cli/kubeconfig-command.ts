import { readFileSync } from 'node:fs'
import { stringify } from 'yaml'
import type { CommandIo } from './server-io.ts'
import { connectionFrom, UsageError, type ServerOptions } from './server-options.ts'

export interface KubeconfigOptions extends ServerOptions {
  readonly namespace?: string
  readonly context?: string
  /** PEM file of the CA that signed an https server's certificate (a TLS-terminating proxy's). */
  readonly certificateAuthority?: string
  readonly insecureSkipTlsVerify?: boolean
}

export const DEFAULT_KUBE_CONTEXT = 'tunewell'
export const DEFAULT_KUBE_NAMESPACE = 'default'

/** RFC 1123 label, what Kubernetes accepts as a namespace name. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** What a kubeconfig for one tunewell server says. */
export interface KubeconfigInput {
  readonly server: string
  readonly token?: string
  readonly namespace: string
  readonly context: string
  readonly caPem?: string
  readonly insecureSkipTlsVerify?: boolean
}

/**
 * A kubeconfig with one cluster, one user and one context, all named after the context, so
 * several servers' files can be merged with `KUBECONFIG=a:b` without their entries clashing.
 * Plain http needs no `insecure-skip-tls-verify` (kubectl only checks certificates over https),
 * and a server without tokens gets a user with no credentials: kubectl then sends none.
 */
export function kubeconfigDocument(input: KubeconfigInput): Record<string, unknown> {
  const name = input.context
  const cluster: Record<string, unknown> = { server: input.server }
  if (input.caPem !== undefined) cluster['certificate-authority-data'] = Buffer.from(input.caPem).toString('base64')
  if (input.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: input.token ? { token: input.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: input.namespace } }],
    'current-context': name,
    preferences: {},
  }
}

/**
 * `tunewell kubeconfig`: prints a kubeconfig for the server the other server commands talk to
 * (--server/TUNEWELL_SERVER, --token/TUNEWELL_TOKEN), so `tunewell kubeconfig > kc` and
 * `KUBECONFIG=kc kubectl get experiments` reach the same server as `tunewell list`. It reads
 * nothing from the server: the file can be written before the server starts, or for another
 * machine. Exit 2 for bad input.
 */
export function kubeconfigCommand(options: KubeconfigOptions, io: CommandIo, env: NodeJS.ProcessEnv = process.env): number {
  try {
    const connection = connectionFrom(options, env)
    const namespace = options.namespace ?? DEFAULT_KUBE_NAMESPACE
    if (!DNS_LABEL.test(namespace) || namespace.length > 63) {
      throw new UsageError(`--namespace must be a Kubernetes namespace name (lowercase letters, digits and '-', at most 63); got ${JSON.stringify(namespace)}`)
    }
    const context = options.context ?? DEFAULT_KUBE_CONTEXT
    if (context.trim() === '') throw new UsageError('--context must not be empty')
    // A URL's trailing slash would make kubectl ask for `//api`.
    const server = connection.server.replace(/\/+$/, '')
    const https = new URL(server).protocol === 'https:'
    if (!https && (options.certificateAuthority !== undefined || options.insecureSkipTlsVerify)) {
      throw new UsageError('--certificate-authority and --insecure-skip-tls-verify are for an https server; the server is plain http')
    }
    const caPem = options.certificateAuthority !== undefined ? readPem(options.certificateAuthority) : undefined
    io.out.write(stringify(kubeconfigDocument({
      server, namespace, context,
      ...(connection.token ? { token: connection.token } : {}),
      ...(caPem !== undefined ? { caPem } : {}),
      ...(options.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
    })))
    if (connection.token && !https) {
      // client-go (kubectl, and every Go client) applies a kubeconfig's credentials only to
      // https servers: over plain http it sends no token at all, and the server answers 401.
      io.err.write(`warning: kubectl sends no token to a plain http server (${server}), so this server will answer it 401 Unauthorized; ` +
        'serve https (`tunewell serve --tls-cert FILE --tls-key FILE`, or a TLS-terminating proxy in front) and give its https URL ' +
        '(with --certificate-authority for a certificate of your own), or on this machine run `tunewell serve` without tokens\n')
    }
    return 0
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.err.write(`error: ${error.message}\n`)
    return 2
  }
}

function readPem(path: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read --certificate-authority ${path}: ${(error as Error).message}`)
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--certificate-authority ${path} is not a PEM certificate`)
  return text
}
