import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { AppOptions } from '../app-options.ts'
import { findExperiment } from '../operations/find-experiment.ts'
import { extendExperiment } from '../../lifecycle/extend-experiment.ts'
import { resumeExperiment } from '../operations/resume-experiment.ts'
import { stopExperiment } from '../operations/stop-experiment.ts'
import { errorResponses, ExperimentParams } from '../schemas/common.ts'
import { ExperimentResourceSchema } from '../schemas/experiment.ts'
import { loadExperimentResource } from '../views/load-experiment-resource.ts'

// `{name}:stop` (a custom method, Google API style): the regex keeps the name from swallowing
// the `:verb`, and `::` is a literal colon in find-my-way.
const ACTION = (verb: string) => `/api/v1/experiments/:name(^[^/:]+)::${verb}`
const TAGS = ['experiments']

export const experimentActionRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store, control } = options

  app.post(ACTION('stop'), {
    schema: {
      summary: 'Stop an experiment',
      description: 'Completes it as Succeeded with reason ExperimentStopped and kills its Pending and Running trials. ' +
        'Stopping a stopped experiment changes nothing; one that completed otherwise is 409.',
      tags: TAGS,
      params: ExperimentParams,
      response: { 200: ExperimentResourceSchema, ...errorResponses },
    },
  }, async (request) => {
    const record = await stopExperiment(store, request.params.name)
    control?.wake(record.id)
    return loadExperimentResource(store, record)
  })

  app.post(ACTION('resume'), {
    schema: {
      summary: 'Resume a completed experiment',
      description: 'Katib\'s resumePolicy: allowed for LongRunning and FromVolume (Never is 409), for an experiment that was stopped ' +
        'or reached maxTrialCount (with room left). It restarts and continues; one that is not completed is left as it is.',
      tags: TAGS,
      params: ExperimentParams,
      response: { 200: ExperimentResourceSchema, ...errorResponses },
    },
  }, async (request) => {
    const record = await resumeExperiment(store, request.params.name)
    control?.wake(record.id)
    return loadExperimentResource(store, record)
  })

  app.post(ACTION('extend'), {
    schema: {
      summary: 'Add trials to an experiment',
      description: 'Raises maxTrialCount by `trials` whatever the resumePolicy, keeping the history and the algorithm\'s state; ' +
        'a completed experiment restarts and runs them (Optuna\'s optimize called again). One that reached its goal runs them ' +
        'in full: the goal no longer ends it. Each call adds again. A failed experiment, or one whose search space is exhausted, is 422.',
      tags: TAGS,
      params: ExperimentParams,
      body: Type.Object({ trials: Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'how many trials to add' }) }, { additionalProperties: false }),
      response: { 200: ExperimentResourceSchema, ...errorResponses },
    },
  }, async (request) => {
    const found = await findExperiment(store, request.params.name)
    const record = await extendExperiment(store, found.id, request.body.trials)
    control?.wake(record.id)
    return loadExperimentResource(store, record)
  })
}
