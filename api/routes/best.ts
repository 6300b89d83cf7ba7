import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { isMultiObjective } from '../../core/multiobjective/objectives.ts'
import { experimentFront } from '../../lifecycle/best-front.ts'
import type { AppOptions } from '../app-options.ts'
import { findExperiment } from '../operations/find-experiment.ts'
import { BestSchema, type BestView } from '../schemas/best.ts'
import { errorResponses, ExperimentParams } from '../schemas/common.ts'
import { finiteOrNull, trialView } from '../views/trial-view.ts'

/** The best an experiment found so far: its Pareto front with several objectives, else its best trial. */
export const bestRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store } = options
  app.get('/api/v1/experiments/:name/best', {
    schema: {
      summary: 'Get the best trials',
      description: 'With several objectives: the Pareto front of the feasible Succeeded trials, with its hypervolume and reference point. ' +
        'With one: the best trial (Katib\'s currentOptimalTrial; never one that broke a constraint), or an empty list.',
      tags: ['trials'],
      params: ExperimentParams,
      response: { 200: BestSchema, ...errorResponses },
    },
  }, async (request): Promise<BestView> => {
    const experiment = await findExperiment(store, request.params.name)
    const objective = experiment.spec.spec.objective
    if (isMultiObjective(objective)) {
      const front = experimentFront(objective, await store.trials.list(experiment.id, { states: ['Succeeded'] }))
      return {
        trials: front.front.map((t) => trialView(t, undefined, experiment.spec)),
        hypervolume: finiteOrNull(front.hypervolume),
        referencePoint: front.referencePoint,
      }
    }
    const best = experiment.bestTrialId ? await store.trials.get(experiment.bestTrialId) : undefined
    return { trials: best ? [trialView(best, undefined, experiment.spec)] : [] }
  })
}
