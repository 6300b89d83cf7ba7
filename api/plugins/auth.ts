import type { FastifyInstance } from 'fastify'
import { matchToken, type AccessToken } from '../access-tokens.ts'
import { HttpError } from '../http-error.ts'

export interface AuthOptions {
  /** No tokens: no authentication (the server refuses to listen beyond loopback that way; see cli/serve-command.ts). */
  readonly tokens: readonly AccessToken[]
  /** Paths anyone may GET: probes and the API description (they hold no experiment data). */
  readonly publicPaths: readonly string[]
  /**
   * Paths where a GET may carry its token as `?token=` instead: the event streams, because
   * EventSource cannot send an Authorization header. Nowhere else: URLs end up in proxy logs
   * and browser history.
   */
  readonly queryTokenPaths?: readonly RegExp[]
}

const READ_METHODS = new Set(['GET', 'HEAD'])

/**
 * The cookie the dashboard signs in with (api/routes/session.ts): the token of a signed-in
 * browser, HttpOnly (no script reads it) and SameSite=Strict (no other site's page sends it).
 */
export const SESSION_COOKIE = 'tunewell_token'
/** Signing in and out (api/routes/session.ts) changes nothing on the server: a read-only token may too. */
export const SESSION_PATH = '/api/v1/session'

/**
 * Bearer tokens on every request but the public paths: 401 without a valid token, 403 when a
 * read-only token tries to change something.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  if (options.tokens.length === 0) return
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!
    if (READ_METHODS.has(request.method) && options.publicPaths.some((p) => path === p || path.startsWith(`${p}/`))) return
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '') ?? queryToken(request.method, request.url, path, options)
    const cookie = match ? undefined : sessionCookie(request.headers.cookie)
    const role = match ? matchToken(options.tokens, match[1]!) : cookie !== undefined ? matchToken(options.tokens, cookie) : undefined
    if (!role && cookie !== undefined) {
      throw new HttpError(401, 'UNAUTHORIZED', 'the token this browser signed in with is not valid any more: sign in again with a valid token')
    }
    if (!role) {
      throw new HttpError(401, 'UNAUTHORIZED', match ? 'the bearer token is not valid' : 'this server needs a token: send `Authorization: Bearer <token>`')
    }
    if (role === 'read' && !READ_METHODS.has(request.method) && path !== SESSION_PATH) {
      throw new HttpError(403, 'FORBIDDEN', `a read-only token cannot ${request.method} ${path}; use an admin token`)
    }
    // A browser sends the cookie with whatever request a page of the same site makes, a form's
    // POST from another port included: a change signed in by the cookie alone must show that the
    // dashboard's own page made it. The host and origin guard, which runs first, has refused any
    // Origin but this server's; here the request must have one (or the browser's word for it).
    if (cookie !== undefined && !READ_METHODS.has(request.method) && !fromOwnPage(request.headers)) {
      throw new HttpError(403, 'CROSS_ORIGIN', `${request.method} ${path} refused: signed in by the dashboard's cookie only, it must come from the dashboard's page (Origin or Sec-Fetch-Site: same-origin); other clients send \`Authorization: Bearer <token>\``)
    }
  })
}

/** The token in the session cookie, if the request carries one. */
export function sessionCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === SESSION_COOKIE) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim()) || undefined
      } catch {
        return undefined
      }
    }
  }
  return undefined
}

function fromOwnPage(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const site = headers['sec-fetch-site']
  return site === 'same-origin' || typeof headers.origin === 'string'
}

/** `?token=` where allowed, shaped like a header match (the token in [1]). */
function queryToken(method: string, url: string, path: string, options: AuthOptions): [string, string] | null {
  if (!READ_METHODS.has(method) || !options.queryTokenPaths?.some((p) => p.test(path))) return null
  const token = new URLSearchParams(url.slice(path.length + 1)).get('token')
  return token ? ['', token] : null
}
