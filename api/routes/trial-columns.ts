import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { metricNames, toSearchSpace } from '../../core/spec/index.ts'
import type { AppOptions } from '../app-options.ts'
import { findExperiment } from '../operations/find-experiment.ts'
import { errorResponses, ExperimentParams } from '../schemas/common.ts'
import { TrialColumnsSchema } from '../schemas/trial-columns.ts'
import { sendCompressedJson } from '../send-compressed-json.ts'
import { trialColumns } from '../views/trial-columns.ts'

/**
 * Every trial of an experiment in one columnar answer, for charts: at 10,000 trials one request
 * of about 100 KB compressed, where pages of TrialView objects take ten requests and ten times
 * the bytes and parse time.
 */
export const trialColumnRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store } = options
  app.get('/api/v1/experiments/:name/trials::columns', {
    schema: {
      summary: 'Every trial as columns',
      description: 'All trials by number, one array per field (number, state, objective, each parameter, each metric\'s latest value, ' +
        'start and end in epoch milliseconds, message): what charts of the whole experiment need, in one compact answer ' +
        '(compressed with br or gzip when the client accepts it). `params` has the spec\'s parameters, then any other the trials carry ' +
        '(a NAS trial\'s `architecture` and `nn_config`). For single trials and their details use the trials list.',
      tags: ['trials'],
      params: ExperimentParams,
      response: { 200: TrialColumnsSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const experiment = await findExperiment(store, request.params.name)
    const spec = experiment.spec
    const trials = await store.trials.list(experiment.id)
    // The spec's parameters first, then what else the trials carry: an architecture search has no
    // spec.parameters, its trials `architecture` and `nn_config` (darts' its settings).
    const parameters = new Set(toSearchSpace(spec).map((p) => p.name))
    for (const t of trials) for (const name of Object.keys(t.params)) parameters.add(name)
    const body = trialColumns(trials, [...parameters], metricNames(spec), `${experiment.name}-`, spec.spec.objective)
    return sendCompressedJson(request, reply, body)
  })
}
