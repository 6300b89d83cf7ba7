import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { enqueueTrials } from '../../suggestion/enqueue-trials.ts'
import type { AppOptions } from '../app-options.ts'
import { findExperiment } from '../operations/find-experiment.ts'
import { errorResponses, ExperimentParams } from '../schemas/common.ts'

const ParameterSet = Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()]), { description: 'a value for every parameter, by name' })

export const trialEnqueueRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store, control } = options

  app.post('/api/v1/experiments/:name(^[^/:]+)/trials::enqueue', {
    schema: {
      summary: 'Enqueue parameter sets to try first',
      description: 'Optuna\'s enqueue_trial: each set gives every parameter a value inside its feasible space (a problem is 422 at ' +
        '`/params/<i>/<name>`, and nothing is queued). The next trials created run them, oldest first, before any suggestion of ' +
        'the algorithm, which sees their results like its own. They add no trials: a finished experiment runs them once trials are added (:extend).',
      tags: ['trials'],
      params: ExperimentParams,
      body: Type.Object({ params: Type.Array(ParameterSet, { minItems: 1, maxItems: 1000 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ queued: Type.Integer({ description: 'sets waiting for a trial, these included' }) }), ...errorResponses },
    },
  }, async (request) => {
    const found = await findExperiment(store, request.params.name)
    const queued = await enqueueTrials(store, found.id, request.body.params)
    control?.wake(found.id)
    return { queued }
  })
}
