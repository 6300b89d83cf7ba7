import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import type { AppOptions } from '../app-options.ts'
import { HttpError } from '../http-error.ts'
import { SESSION_COOKIE, SESSION_PATH } from '../plugins/auth.ts'
import { errorResponses } from '../schemas/common.ts'

const TAGS = ['operations']

/**
 * The dashboard's sign-in: the token a link or the prompt gave it is exchanged at once for a
 * cookie, so that the token need not stay in the address bar, the history or the page's storage.
 * The cookie is HttpOnly (no script, the dashboard's own included, can read it), SameSite=Strict
 * (no other site's page makes the browser send it), Secure over https, and ends with the browser
 * session. Writes signed in by it alone must also come from the dashboard's own page
 * (plugins/auth.ts): the cookie is no way around the host and origin guard.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const withTokens = (options.tokens ?? []).length > 0
  app.post(SESSION_PATH, {
    schema: {
      summary: 'Sign a browser in: exchange the bearer token for a cookie',
      description: 'Sets the HttpOnly, SameSite=Strict cookie `tunewell_token` holding the token sent in `Authorization: Bearer` ' +
        '(the token, not the cookie: a cookie cannot renew itself); a read-only token signs in too. Requests from the same browser then need no header; a change ' +
        '(POST, PATCH, DELETE) made with the cookie alone must come from this server\'s own page (its Origin). 204; on a server ' +
        'without tokens nothing is set.',
      tags: TAGS,
      response: { 204: Type.Null(), ...errorResponses },
    },
  }, async (request, reply) => {
    if (!withTokens) return reply.code(204).send(null)
    const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '')
    if (!bearer) throw new HttpError(400, 'INVALID_REQUEST', 'send the token to sign in with as `Authorization: Bearer <token>`; the cookie cannot renew itself')
    // The auth hook has already checked this token.
    return reply.header('set-cookie', cookie(request, encodeURIComponent(bearer[1]!))).code(204).send(null)
  })

  app.delete(SESSION_PATH, {
    schema: {
      summary: 'Sign a browser out: remove the cookie',
      description: 'Expires the cookie `tunewell_token`. 204.',
      tags: TAGS,
      response: { 204: Type.Null(), ...errorResponses },
    },
  }, async (request, reply) => reply.header('set-cookie', cookie(request, '', 0)).code(204).send(null))
}

function cookie(request: FastifyRequest, value: string, maxAge?: number): string {
  return [
    `${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict',
    ...(request.protocol === 'https' ? ['Secure'] : []),
    ...(maxAge !== undefined ? [`Max-Age=${maxAge}`] : []),
  ].join('; ')
}
