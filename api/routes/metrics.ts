import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { AppOptions } from '../app-options.ts'
import { CONTENT_TYPE } from '../metrics/exposition.ts'
import { collectStoreGauges, TunewellMetrics } from '../metrics/tunewell-metrics.ts'
import { errorResponses } from '../schemas/common.ts'

/**
 * Prometheus scrapes. Not public like the probes: the trial gauges are labelled with experiment
 * names, which are experiment data, so with tokens on a read token is needed (and enough).
 */
export const metricsRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const metrics = options.metrics ?? new TunewellMetrics()

  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics',
      description: 'Text exposition format 0.0.4: trials per experiment and state and experiments per state (from the database at ' +
        'scrape time), HTTP request durations by route and status class, suggestion durations by algorithm, observations ' +
        'ingested, open event streams. Needs a (read) token when the server has tokens.',
      tags: ['operations'],
      response: { 200: Type.String({ description: 'text/plain; version=0.0.4' }), ...errorResponses },
    },
  }, async (_request, reply) => {
    await collectStoreGauges(options.store, metrics)
    return reply.type(CONTENT_TYPE).send(metrics.registry.render())
  })
}
