import type { FastifyInstance, FastifyRequest } from 'fastify'
import { parseHostHeader, type HostAddress, type HostPolicy } from '../host-policy.ts'
import { HttpError } from '../http-error.ts'

/** Methods that change nothing; every other one is checked for a foreign page behind it. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * What keeps web pages out of a server that has no token (loopback, the default), before auth
 * runs. A page on any site can make the browser send requests here: a DNS-rebinding page even
 * reads the answers, and a `<form>` POST needs no preflight. Browsers always say where a request
 * goes (`Host`) and, for a POST from a page, where it comes from (`Origin`, `Sec-Fetch-Site`);
 * curl, the CLI and workers send no Origin and keep working.
 *
 * - every request: a `Host` the policy does not answer is 403 HOST_NOT_ALLOWED. A request without
 *   Host (HTTP/1.0) is answered: browsers always send one, so it is no page's request.
 * - every method but GET/HEAD/OPTIONS: `Sec-Fetch-Site: cross-site`, or an `Origin` that is
 *   neither this request's own Host (the page came from this server) nor a name the operator
 *   allowed (a proxy that rewrites Host), is 403 CROSS_ORIGIN.
 */
export function registerHostOriginGuard(app: FastifyInstance, policy: HostPolicy): void {
  app.addHook('onRequest', async (request) => {
    const header = request.headers.host
    const host = header === undefined ? undefined : parseHostHeader(header)
    if (header !== undefined && host === undefined) {
      throw new HttpError(403, 'HOST_NOT_ALLOWED', `the Host header ${JSON.stringify(header)} is not a host name or address with an optional port`)
    }
    if (host !== undefined && !policy.allowsHost(host)) {
      const name = host.name.includes(':') ? `[${host.name}]` : host.name
      throw new HttpError(403, 'HOST_NOT_ALLOWED',
        `this server does not answer requests addressed to the host "${header}" (it answers ${policy.describe()}): ` +
        'a web page reaching it under another name may be a DNS-rebinding attack. If you reach it through that name ' +
        `(a reverse proxy, a DNS name), start it with \`tunewell serve --allowed-hosts ${name}\` (or TUNEWELL_ALLOWED_HOSTS)`)
    }
    if (SAFE_METHODS.has(request.method)) return
    const refusal = foreignPage(request, host, policy)
    if (refusal !== undefined) {
      throw new HttpError(403, 'CROSS_ORIGIN',
        `${request.method} ${request.url.split('?')[0]} refused: ${refusal}; a web page of another site must not change anything here. ` +
        'Send the request without an Origin header (curl, the tunewell CLI, a worker do), or use the dashboard this server serves. ' +
        'Behind a reverse proxy that rewrites Host, start the server with `tunewell serve --allowed-hosts <the name in the browser>`')
    }
  })
}

/** Why the request comes from a page of another site, or undefined when it does not. */
function foreignPage(request: FastifyRequest, host: HostAddress | undefined, policy: HostPolicy): string | undefined {
  if (header(request, 'sec-fetch-site')?.toLowerCase() === 'cross-site') return 'the browser says it comes from another site (Sec-Fetch-Site: cross-site)'
  const origin = header(request, 'origin')
  if (origin === undefined) return undefined
  let url: URL | undefined
  try {
    url = new URL(origin)
  } catch {
    // "null" (a sandboxed page, a file://) or garbage: no site this server knows.
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) return `it comes from the page origin "${origin}", not from this server`
  if (host !== undefined && sameAuthority(url, host)) return undefined
  if (policy.isNamed(url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase())) return undefined
  return `it comes from a page of ${url.origin}, not of this server (${request.headers.host ?? 'no Host header'})`
}

/** The Origin names the same host and port the request was sent to (default ports by the Origin's scheme). */
function sameAuthority(origin: URL, host: HostAddress): boolean {
  const originName = origin.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase().replace(/\.$/, '')
  const defaultPort = origin.protocol === 'https:' ? '443' : '80'
  return originName === host.name && (origin.port || defaultPort) === (host.port ?? defaultPort)
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}
