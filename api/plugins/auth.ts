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
 * Bearer tokens on every request but the public paths: 401 without a valid token, 403 when a
 * read-only token tries to change something.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  if (options.tokens.length === 0) return
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!
    if (READ_METHODS.has(request.method) && options.publicPaths.some((p) => path === p || path.startsWith(`${p}/`))) return
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '') ?? queryToken(request.method, request.url, path, options)
    const role = match ? matchToken(options.tokens, match[1]!) : undefined
    if (!role) {
      throw new HttpError(401, 'UNAUTHORIZED', match ? 'the bearer token is not valid' : 'this server needs a token: send `Authorization: Bearer <token>`')
    }
    if (role === 'read' && !READ_METHODS.has(request.method)) {
      throw new HttpError(403, 'FORBIDDEN', `a read-only token cannot ${request.method} ${path}; use an admin token`)
    }
  })
}

/** `?token=` where allowed, shaped like a header match (the token in [1]). */
function queryToken(method: string, url: string, path: string, options: AuthOptions): [string, string] | null {
  if (!READ_METHODS.has(method) || !options.queryTokenPaths?.some((p) => p.test(path))) return null
  const token = new URLSearchParams(url.slice(path.length + 1)).get('token')
  return token ? ['', token] : null
}
