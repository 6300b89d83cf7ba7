import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { TrialState } from '../../core/trial.ts'
import type { TrialSortKey } from '../../db/store.ts'
import type { AppOptions } from '../app-options.ts'
import { decodeTrialCursor, encodeTrialCursor } from '../cursor.ts'
import { invalidField } from '../http-error.ts'
import { DEFAULT_LIMIT, parseList } from '../list-params.ts'
import { findExperiment, findTrial } from '../operations/find-experiment.ts'
import { killTrial } from '../operations/kill-trial.ts'
import { errorResponses, ExperimentParams, TrialParams } from '../schemas/common.ts'
import { TRIAL_STATE_VALUES, TrialListQuery, TrialListSchema, TrialSchema } from '../schemas/trial.ts'
import { trialView } from '../views/trial-view.ts'

const TAGS = ['trials']

export const trialRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store, control } = options

  app.get('/api/v1/experiments/:name/trials', {
    schema: {
      summary: 'List an experiment\'s trials',
      description: 'Sorted by number (default), objective (best first by default, nulls last either way) or createdAt. ' +
        'Keyset pagination: every page costs the same however deep, so `nextCursor` walks 100k trials page by page.',
      tags: TAGS,
      params: ExperimentParams,
      querystring: TrialListQuery,
      response: { 200: TrialListSchema, ...errorResponses },
    },
  }, async (request) => {
    const q = request.query
    const experiment = await findExperiment(store, request.params.name)
    const sort: TrialSortKey = q.sort ?? 'number'
    const direction = experiment.spec.spec.objective.type
    const order = q.order ?? (sort === 'objective' && direction === 'maximize' ? 'desc' : 'asc')
    const states = parseList<TrialState>(q.state, TRIAL_STATE_VALUES, '/querystring/state')
    let after
    if (q.cursor !== undefined) {
      const cursor = decodeTrialCursor(q.cursor)
      if (cursor.sort !== sort || cursor.order !== order) {
        throw invalidField('/querystring/cursor', `the cursor continues a listing sorted by ${cursor.sort} ${cursor.order}; repeat sort and order, or omit the cursor to start over`)
      }
      after = cursor.after
    }
    const page = await store.trials.page(experiment.id, {
      sort, order, limit: q.limit ?? DEFAULT_LIMIT, ...(states ? { states } : {}), ...(after ? { after } : {}),
    })
    return {
      items: page.items.map((t) => trialView(t, undefined, experiment.spec)),
      nextCursor: page.next ? encodeTrialCursor({ sort, order, after: page.next }) : null,
    }
  })

  app.get('/api/v1/experiments/:name/trials/:trial', {
    schema: {
      summary: 'Get a trial',
      description: 'Parameters, state with reason and message, timings, and the per-metric summary (live while it runs).',
      tags: TAGS,
      params: TrialParams,
      response: { 200: TrialSchema, ...errorResponses },
    },
  }, async (request) => {
    const experiment = await findExperiment(store, request.params.name)
    const trial = await findTrial(store, experiment, request.params.trial)
    // A running trial's summary is written when it ends; until then compute it from its points.
    const live = trial.state === 'Running' ? await store.observations.summarize(trial.id) : undefined
    return trialView(trial, live, experiment.spec)
  })

  app.post('/api/v1/experiments/:name/trials/:trial(^[^/:]+)::kill', {
    schema: {
      summary: 'Kill a trial',
      description: 'A Pending or Running trial becomes Killed and its process is stopped. Killing a killed trial changes nothing; one that ended otherwise is 409.',
      tags: TAGS,
      params: TrialParams,
      response: { 200: TrialSchema, ...errorResponses },
    },
  }, async (request) => {
    const trial = await killTrial(store, request.params.name, request.params.trial)
    control?.wake(trial.experimentId)
    // Read after the kill, for parameterAssignments as the trial got them (discrete values as written).
    return trialView(trial, undefined, (await store.experiments.get(trial.experimentId))?.spec)
  })
}
