import type { FastifyInstance } from 'fastify'
import type { TunewellMetrics } from '../metrics/tunewell-metrics.ts'

/**
 * Every answer's duration into tunewell_http_request_duration_seconds. Labelled by the route
 * pattern (`/api/v1/experiments/:name`), never the URL, so experiment names cannot blow up the
 * number of series; unknown paths share `unmatched`. Event streams are left out: their
 * "duration" is how long someone watched, which would swamp every bucket.
 */
export function registerHttpMetrics(app: FastifyInstance, metrics: TunewellMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/event-stream')) return
    const route = request.routeOptions.url ?? 'unmatched'
    metrics.httpRequestDuration.observe(reply.elapsedTime / 1000, {
      method: request.method,
      route,
      status: `${Math.floor(reply.statusCode / 100)}xx`,
    })
  })
}
