import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppOptions } from '../app-options.ts'
import { HttpError } from '../http-error.ts'
import { errorResponses } from '../schemas/common.ts'
import { HealthSchema, ReadySchema } from '../schemas/health.ts'

export const healthRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  app.get('/healthz', {
    schema: { summary: 'Liveness: the process answers', tags: ['operations'], response: { 200: HealthSchema } },
  }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', {
    schema: {
      summary: 'Readiness: the database answers and is migrated',
      tags: ['operations'],
      response: { 200: ReadySchema, 503: errorResponses[503] },
    },
  }, async (request) => {
    let pending: string[]
    try {
      pending = await options.store.pendingMigrations()
    } catch (error) {
      request.log.warn({ err: error }, 'readiness: database unreachable')
      // The probe is public: details go to the log, not to whoever asks.
      throw new HttpError(503, 'NOT_READY', 'the database cannot be reached; the server log has the details')
    }
    if (pending.length > 0) throw new HttpError(503, 'NOT_READY', `database migrations not applied yet: ${pending.join(', ')}`)
    return { status: 'ready' as const, database: options.store.backend }
  })
}
