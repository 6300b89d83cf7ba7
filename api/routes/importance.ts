import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppOptions } from '../app-options.ts'
import { findExperiment } from '../operations/find-experiment.ts'
import { ParameterImportance } from '../operations/parameter-importance.ts'
import { errorResponses, ExperimentParams } from '../schemas/common.ts'
import { ImportanceSchema } from '../schemas/importance.ts'

export const importanceRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store } = options
  const importance = new ParameterImportance(store)
  app.get('/api/v1/experiments/:name/importance', {
    schema: {
      summary: 'Parameter importance',
      description: 'How much each parameter matters for reaching the best objective values, by PED-ANOVA (Watanabe et al., IJCAI 2023) over the ' +
        'Succeeded and EarlyStopped trials (an early-stopped one with the objective it reached at its rung): the Pearson divergence between ' +
        'where the top 10% of trials lie and where all lie, per parameter on its own scale (log for log-uniform), normalised to sum to 1. ' +
        'A hyperband experiment\'s resource parameter (`resource_name`) is left out (`resourceParameter`): the algorithm sets it by rung. ' +
        'Deterministic; cached until another trial succeeds or stops early.',
      tags: ['trials'],
      params: ExperimentParams,
      response: { 200: ImportanceSchema, ...errorResponses },
    },
  }, async (request) => importance.of(await findExperiment(store, request.params.name)))
}
