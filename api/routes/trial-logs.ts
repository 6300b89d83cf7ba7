import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Store } from '../../db/store.ts'
import type { AppOptions } from '../app-options.ts'
import { followLog } from '../follow-log.ts'
import { HttpError } from '../http-error.ts'
import { findExperiment, findTrial } from '../operations/find-experiment.ts'
import { readTail } from '../read-tail.ts'
import { errorResponses, TrialParams } from '../schemas/common.ts'
import { TrialLogsQuery } from '../schemas/trial.ts'

interface OpenFollow {
  readonly abort: AbortController
  /** Resolves once the answer is over (ended or the client went away). */
  readonly closed: Promise<void>
}

export const trialLogRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store, trialLogPath } = options
  const follows = new Set<OpenFollow>()

  // preClose, not onClose: Fastify runs onClose hooks only after every answer in flight has
  // ended, and a follow would otherwise only end with its trial, so app.close() would hang.
  app.addHook('preClose', async () => {
    const open = [...follows]
    for (const follow of open) follow.abort.abort()
    await Promise.all(open.map((follow) => follow.closed))
  })

  app.get('/api/v1/experiments/:name/trials/:trial/logs', {
    schema: {
      summary: 'A trial\'s output',
      description: 'The combined stdout and stderr of the trial process (its output.log), whole or its last `tail` lines. ' +
        'With `follow=true` the answer stays open and streams the log as it grows (after the tail, when given); it ends ' +
        'once the trial is no longer Pending or Running and everything it wrote was sent. A trial that has not started ' +
        'yet is waited for.',
      tags: ['trials'],
      params: TrialParams,
      querystring: TrialLogsQuery,
      response: { 200: Type.String({ description: 'text/plain' }), ...errorResponses },
    },
  }, async (request, reply) => {
    const experiment = await findExperiment(store, request.params.name)
    const trial = await findTrial(store, experiment, request.params.trial)
    const missing = () => new HttpError(404, 'LOG_NOT_FOUND', `trial "${trial.name}" has no log here: it has not started, or its trials run elsewhere`)
    if (!trialLogPath) throw missing()
    // Both names come from the database (validated when created), never from the URL as such.
    const path = trialLogPath(experiment.name, trial.name)
    const exists = await isFile(path)
    const { tail, follow } = request.query
    if (follow) {
      const isActive = () => trialIsActive(store, trial.id)
      // Trials of an experiment without a trialTemplate run in outside workers: no log will come here.
      const local = experiment.spec.spec.trialTemplate !== undefined
      if (!exists && (!local || !(await isActive()))) throw missing()
      const abort = new AbortController()
      const closed = new Promise<void>((resolve) => reply.raw.once('close', resolve))
      const entry: OpenFollow = { abort, closed }
      follows.add(entry)
      // A client that goes away stops the polling at once instead of at the trial's end.
      reply.raw.once('close', () => {
        abort.abort()
        follows.delete(entry)
      })
      reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff')
      const chunks = followLog(path, { ...(tail !== undefined ? { tail } : {}), isActive, signal: abort.signal })
      const stream = Readable.from(headFirst(reply.raw, chunks), { objectMode: false })
      return reply.send(stream as never)
    }
    if (!exists) throw missing()
    reply.type('text/plain; charset=utf-8')
    if (tail !== undefined) return readTail(path, tail)
    // Streamed, not buffered: a log can be large. The 200 schema (a string) documents the body.
    return reply.send(createReadStream(path) as never)
  })
}

/**
 * Fastify sends the head with the first chunk, and a follow may wait long for one (a pending
 * trial): the client should learn at once that it is following. Runs once the stream is piped,
 * after Fastify has set the status and headers.
 */
async function* headFirst(response: ServerResponse, chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (!response.headersSent) response.flushHeaders()
  yield* chunks
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/** Whether the trial may still write output; a deleted one will not. */
async function trialIsActive(store: Store, trialId: string): Promise<boolean> {
  const trial = await store.trials.get(trialId)
  return trial !== undefined && (trial.state === 'Pending' || trial.state === 'Running')
}
