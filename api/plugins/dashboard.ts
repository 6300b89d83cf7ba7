import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { join } from 'node:path'

/**
 * Paths of the dashboard that anyone may GET: the page and its bundle hold no experiment data
 * (the page asks for a token when the API answers 401), so they load without one.
 */
export const DASHBOARD_PUBLIC_PATHS = ['/', '/assets', '/new', '/experiments', '/compare', '/favicon.ico'] as const

/**
 * Serves the built dashboard (ui/build-ui.ts writes `dir`): its bundle under /assets/, and
 * index.html for `/` and every other GET that no route takes and that is not under /api/ (the
 * page routes itself from the URL, so a reload of /experiments/x works). API paths keep the
 * API's JSON 404.
 */
export async function registerDashboard(app: FastifyInstance, dir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/assets/',
    // ui/build-ui.ts writes .br and .gz next to the bundle; served to clients that accept them.
    preCompressed: true,
    // Fixed file names, rebuilt in place: the browser revalidates (ETag) instead of caching blindly.
    cacheControl: false,
    setHeaders: (reply) => reply.header('cache-control', 'no-cache'),
  })
  const page = (_request: unknown, reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', dir)
  app.get('/', { schema: { hide: true } }, page)
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const path = request.url.split('?')[0]!
    if (path.startsWith('/api/') || path === '/api') return reply.callNotFound()
    return page(request, reply)
  })
}
