import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ExperimentRecord, ExperimentState, Store, TrialRecord } from '../../db/store.ts'
import type { AppOptions } from '../app-options.ts'
import { decodeExperimentCursor, encodeExperimentCursor } from '../cursor.ts'
import { DEFAULT_LIMIT, parseLabelSelector, parseList } from '../list-params.ts'
import { createExperiment } from '../operations/create-experiment.ts'
import { deleteExperiment } from '../operations/delete-experiment.ts'
import { findExperiment } from '../operations/find-experiment.ts'
import { updateExperiment } from '../operations/update-experiment.ts'
import { submittedDocument, YAML_TYPES } from '../plugins/content-types.ts'
import { errorResponses, ExperimentParams } from '../schemas/common.ts'
import {
  EXPERIMENT_STATE_VALUES, ExperimentCreatedSchema, ExperimentDocumentSchema, ExperimentListQuery, ExperimentListSchema,
  ExperimentPatchSchema, ExperimentResourceSchema,
} from '../schemas/experiment.ts'
import { experimentSummary } from '../views/experiment-view.ts'
import { loadExperimentResource } from '../views/load-experiment-resource.ts'

const TAGS = ['experiments']
const yamlBody = Type.String({ description: 'the Experiment as YAML; problems are reported with line:col' })

export const experimentRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store, control } = options

  app.post('/api/v1/experiments', {
    schema: {
      summary: 'Submit an experiment',
      description: 'YAML (`Content-Type: application/yaml`) or JSON, checked like `tunewell validate`: every problem at once, ' +
        'with line:col for YAML (422). A taken name is 409. The experiment starts as Created; the controller runs it.',
      tags: TAGS,
      body: {
        content: {
          'application/json': { schema: ExperimentDocumentSchema },
          ...Object.fromEntries(YAML_TYPES.map((type) => [type, { schema: yamlBody }])),
        },
      },
      response: { 201: ExperimentCreatedSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const { record, warnings } = await createExperiment(store, submittedDocument(request), options.admit)
    control?.wake(record.id)
    reply.code(201).header('location', `/api/v1/experiments/${encodeURIComponent(record.name)}`)
    return { experiment: await loadExperimentResource(store, record), warnings: [...warnings] }
  })

  app.get('/api/v1/experiments', {
    schema: {
      summary: 'List experiments',
      description: 'Newest first. Filters combine; `nextCursor` pages through the rest.',
      tags: TAGS,
      querystring: ExperimentListQuery,
      response: { 200: ExperimentListSchema, ...errorResponses },
    },
  }, async (request) => {
    const q = request.query
    const states = parseList<ExperimentState>(q.status, EXPERIMENT_STATE_VALUES, '/querystring/status')
    const labels = parseLabelSelector(q.label, '/querystring/label')
    const after = q.cursor !== undefined ? decodeExperimentCursor(q.cursor) : undefined
    const page = await store.experiments.page({
      limit: q.limit ?? DEFAULT_LIMIT,
      ...(states ? { states } : {}),
      ...(q.name ? { nameContains: q.name } : {}),
      ...(labels ? { labels } : {}),
      ...(after ? { after } : {}),
    })
    const counts = await store.trials.countByStateForExperiments(page.items.map((e) => e.id))
    const bests = await bestTrials(store, page.items)
    return {
      items: page.items.map((e) => experimentSummary(e, counts.get(e.id)!, bests.get(e.id))),
      nextCursor: page.next ? encodeExperimentCursor(page.next) : null,
    }
  })

  app.get('/api/v1/experiments/:name', {
    schema: {
      summary: 'Get an experiment',
      description: 'The stored Experiment with its status: state, reason, message, conditions, trial counts and Katib\'s currentOptimalTrial.',
      tags: TAGS,
      params: ExperimentParams,
      response: { 200: ExperimentResourceSchema, ...errorResponses },
    },
  }, async (request) => loadExperimentResource(store, await findExperiment(store, request.params.name)))

  app.patch('/api/v1/experiments/:name', {
    schema: {
      summary: 'Change an experiment\'s trial counts',
      description: 'A merge patch of spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount, under Katib\'s rules; ' +
        'any other field is 422 naming it. Raising maxTrialCount of an experiment that reached it restarts it when its resumePolicy allows.',
      tags: TAGS,
      params: ExperimentParams,
      body: {
        content: {
          'application/json': { schema: ExperimentPatchSchema },
          'application/merge-patch+json': { schema: ExperimentPatchSchema },
        },
      },
      response: { 200: ExperimentResourceSchema, ...errorResponses },
    },
  }, async (request) => {
    const record = await updateExperiment(store, request.params.name, request.body as Record<string, unknown>, options.admit)
    control?.wake(record.id)
    return loadExperimentResource(store, record)
  })

  app.delete('/api/v1/experiments/:name', {
    schema: {
      summary: 'Delete an experiment',
      description: 'Stops it, then deletes it with its trials, observations and events. Trial logs stay on disk.',
      tags: TAGS,
      params: ExperimentParams,
      response: { 204: Type.Null({ description: 'deleted' }), ...errorResponses },
    },
  }, async (request, reply) => {
    await deleteExperiment(store, request.params.name, control)
    return reply.code(204).send(null)
  })
}

async function bestTrials(store: Store, records: readonly ExperimentRecord[]): Promise<Map<string, TrialRecord>> {
  const found = await Promise.all(records.map(async (r) => [r.id, r.bestTrialId ? await store.trials.get(r.bestTrialId) : undefined] as const))
  return new Map(found.filter((entry): entry is readonly [string, TrialRecord] => entry[1] !== undefined))
}
