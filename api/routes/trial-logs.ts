import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { AppOptions } from '../app-options.ts'
import { HttpError } from '../http-error.ts'
import { findExperiment, findTrial } from '../operations/find-experiment.ts'
import { readTail } from '../read-tail.ts'
import { errorResponses, TrialParams } from '../schemas/common.ts'
import { TrialLogsQuery } from '../schemas/trial.ts'

export const trialLogRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store, trialLogPath } = options

  app.get('/api/v1/experiments/:name/trials/:trial/logs', {
    schema: {
      summary: 'A trial\'s output',
      description: 'The combined stdout and stderr of the trial process (its output.log), whole or its last `tail` lines.',
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
    try {
      if (!(await stat(path)).isFile()) throw missing()
    } catch (error) {
      if (error instanceof HttpError) throw error
      throw missing()
    }
    reply.type('text/plain; charset=utf-8')
    const tail = request.query.tail
    if (tail !== undefined) return readTail(path, tail)
    // Streamed, not buffered: a log can be large. The 200 schema (a string) documents the body.
    return reply.send(createReadStream(path) as never)
  })
}
