import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { metricNames } from '../../core/spec/index.ts'
import type { TrialState } from '../../core/trial.ts'
import type { AppOptions } from '../app-options.ts'
import { decodeTrialCursor, encodeTrialCursor } from '../cursor.ts'
import { invalidField } from '../http-error.ts'
import { DEFAULT_LIMIT, parseList } from '../list-params.ts'
import { findExperiment, findTrial } from '../operations/find-experiment.ts'
import { errorResponses, ExperimentParams, TrialParams } from '../schemas/common.ts'
import {
  ExperimentObservationsQuery, ExperimentObservationsSchema, TrialObservationsQuery, TrialObservationsSchema,
} from '../schemas/observations.ts'
import { TRIAL_STATE_VALUES } from '../schemas/trial.ts'
import { sendCompressedJson } from '../send-compressed-json.ts'

const TAGS = ['observations']
const DEFAULT_POINTS_PER_TRIAL = 100

/**
 * Metric series for charts, downsampled by the database (db/kysely/downsample-observations.ts):
 * one trial's metrics, or one metric's learning curves over a page of trials.
 */
export const observationRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store } = options

  app.get('/api/v1/experiments/:name/trials/:trial/observations', {
    schema: {
      summary: 'A trial\'s metric series',
      description: 'Per metric its points { step, value } by step. With `maxPoints`, each series is downsampled to at most that many ' +
        'points: the first and the last, and in each of (maxPoints - 2) / 2 equal step buckets the lowest and the highest value.',
      tags: TAGS,
      params: TrialParams,
      querystring: TrialObservationsQuery,
      response: { 200: TrialObservationsSchema, ...errorResponses },
    },
  }, async (request) => {
    const experiment = await findExperiment(store, request.params.name)
    const trial = await findTrial(store, experiment, request.params.trial)
    const known = metricNames(experiment.spec)
    const wanted = request.query.metric !== undefined && request.query.metric.trim() !== ''
      ? parseList(request.query.metric, known, '/querystring/metric')!
      : known
    const { maxPoints } = request.query
    const series = await store.observations.series({ trialIds: [trial.id], metrics: wanted, ...(maxPoints !== undefined ? { maxPoints } : {}) })
    const byMetric = new Map(series.map((s) => [s.metric, s]))
    return {
      trial: trial.name,
      metrics: wanted.map((name) => ({ name, total: byMetric.get(name)?.total ?? 0, points: byMetric.get(name)?.points ?? [] })),
    }
  })

  app.get('/api/v1/experiments/:name/observations', {
    schema: {
      summary: 'Learning curves of many trials',
      description: 'One metric\'s series for a page of trials (by number, or best objective first with sort=objective), each downsampled to at most `maxPointsPerTrial` points ' +
        '(default 100) in the database. Keyset pagination like the trials list: `nextCursor` walks every trial. `state` filters.',
      tags: TAGS,
      params: ExperimentParams,
      querystring: ExperimentObservationsQuery,
      response: { 200: ExperimentObservationsSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const q = request.query
    const experiment = await findExperiment(store, request.params.name)
    const spec = experiment.spec
    const metric = q.metric?.trim() || spec.spec.objective.objectiveMetricName
    const known = metricNames(spec)
    if (!known.includes(metric)) throw invalidField('/querystring/metric', `"${metric}" is not a metric of this experiment; its metrics are ${known.join(', ')}`)
    const states = parseList<TrialState>(q.state, TRIAL_STATE_VALUES, '/querystring/state')
    // Best first for the objective, as in the trials list, so a chart can ask for the best N trials' curves only.
    const sort = q.sort ?? 'number'
    const order = sort === 'objective' && spec.spec.objective.type === 'maximize' ? 'desc' : 'asc'
    let after
    if (q.cursor !== undefined) {
      const cursor = decodeTrialCursor(q.cursor)
      if (cursor.sort !== sort || cursor.order !== order) {
        throw invalidField('/querystring/cursor', 'this cursor continues another listing; pass nextCursor of the previous page of this one')
      }
      after = cursor.after
    }
    const page = await store.trials.page(experiment.id, {
      sort, order, limit: q.limit ?? DEFAULT_LIMIT, ...(states ? { states } : {}), ...(after ? { after } : {}),
    })
    const series = await store.observations.series({
      trialIds: page.items.map((t) => t.id), metrics: [metric], maxPoints: q.maxPointsPerTrial ?? DEFAULT_POINTS_PER_TRIAL,
    })
    const byTrial = new Map(series.map((s) => [s.trialId, s]))
    return sendCompressedJson(request, reply, {
      metric,
      items: page.items.map((t) => ({
        name: t.name, number: t.number, state: t.state, total: byTrial.get(t.id)?.total ?? 0, points: byTrial.get(t.id)?.points ?? [],
      })),
      nextCursor: page.next ? encodeTrialCursor({ sort, order, after: page.next }) : null,
    })
  })
}
