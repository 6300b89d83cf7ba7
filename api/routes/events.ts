import { PassThrough } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import type { AppOptions } from '../app-options.ts'
import { EventHub, type EventSink } from '../events/event-hub.ts'
import { sseComment } from '../events/sse-message.ts'
import { findExperiment } from '../operations/find-experiment.ts'
import { errorResponses, ExperimentParams } from '../schemas/common.ts'
import { EventStreamHeaders, EventStreamQuery, EventStreamSchema } from '../schemas/events.ts'

/** Paths where `?token=` stands in for the Authorization header (see plugins/auth.ts). */
export const EVENT_STREAM_PATHS: readonly RegExp[] = [/^\/api\/v1\/events$/, /^\/api\/v1\/experiments\/[^/]+\/events$/]

/** A client this far behind (unsent text queued for it) is dropped; it reconnects and resumes from its Last-Event-ID. */
const MAX_BUFFERED_BYTES = 1024 * 1024

/** How soon EventSource reconnects after the stream ends (e.g. the server restarts). */
const RETRY_MS = 2000

const TAGS = ['events']
const description = 'Server-sent events (text/event-stream), live as they are written, from this process or any other on the same database. ' +
  'Resumable: with `Last-Event-ID` (or `?lastEventId=`) the events after it are replayed first (at most 1000). ' +
  'With tokens, `?token=` is accepted here in place of the Authorization header, since EventSource cannot set headers.'

export const eventRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store, metrics } = options
  const hub = new EventHub({
    store,
    onError: (error) => app.log.warn({ err: error }, 'event streams: reading the events table failed; retrying'),
    onClientCount: (count) => metrics?.eventStreamClients.set(count),
  })
  // preClose, not onClose: Fastify runs onClose only after every answer in flight has ended,
  // and a stream ends only when its client leaves, so app.close() would wait forever.
  app.addHook('preClose', async () => hub.close())

  const open = async (reply: FastifyReply, lastEventId: number | undefined, experimentId?: string) => {
    const body = new PassThrough()
    const sink: EventSink = {
      write: (text) => {
        if (body.destroyed || body.writableEnded) return true
        body.write(text)
        return body.writableLength <= MAX_BUFFERED_BYTES
      },
      end: () => {
        if (!body.destroyed && !body.writableEnded) body.end()
      },
    }
    let unsubscribe: (() => void) | undefined
    let gone = false
    // A client that leaves frees its subscription at once (Fastify destroys the body then).
    reply.raw.once('close', () => {
      gone = true
      unsubscribe?.()
    })
    body.write(`retry: ${RETRY_MS}\n${sseComment('connected')}`)
    unsubscribe = await hub.subscribe(sink, { lastEventId, ...(experimentId !== undefined ? { experimentId } : {}) })
    if (gone || reply.raw.destroyed) unsubscribe()
    return reply
      .type('text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache')
      // nginx buffers answers by default, which would hold events back.
      .header('x-accel-buffering', 'no')
      .send(body)
  }

  app.get('/api/v1/events', {
    schema: {
      summary: 'Live events of all experiments',
      description,
      tags: TAGS,
      querystring: EventStreamQuery,
      headers: EventStreamHeaders,
      response: { 200: EventStreamSchema, ...errorResponses },
    },
  }, async (request, reply) => open(reply, lastEventIdOf(request.headers['last-event-id'], request.query.lastEventId)))

  app.get('/api/v1/experiments/:name/events', {
    schema: {
      summary: 'Live events of one experiment',
      description,
      tags: TAGS,
      params: ExperimentParams,
      querystring: EventStreamQuery,
      headers: EventStreamHeaders,
      response: { 200: EventStreamSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const experiment = await findExperiment(store, request.params.name)
    return open(reply, lastEventIdOf(request.headers['last-event-id'], request.query.lastEventId), experiment.id)
  })
}

function lastEventIdOf(header: string | undefined, query: number | undefined): number | undefined {
  return header !== undefined ? Number(header) : query
}
