import { Readable } from 'node:stream'
import { Type } from '@fastify/type-provider-typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { metricNames, toSearchSpace, type Experiment } from '../../core/spec/index.ts'
import type { Store, TrialPosition, TrialRecord } from '../../db/store.ts'
import type { AppOptions } from '../app-options.ts'
import { findExperiment } from '../operations/find-experiment.ts'
import { errorResponses, ExperimentParams } from '../schemas/common.ts'
import { csvCells, csvLine, EXPORT_FORMATS, exportedTrial, exportLayout, type ExportLayout } from '../views/trial-export.ts'

/** Trials read per query: the export holds one page at a time, so 100,000 trials never sit in memory together. */
const PAGE = 500

const ExportQuery = Type.Object({
  format: Type.Optional(Type.Union(EXPORT_FORMATS.map((f) => Type.Literal(f)), { description: 'csv (default) or json' })),
})

/**
 * Every trial of an experiment as a file to take away (issue 18): CSV for spreadsheets and
 * pandas, JSON for scripts. Streamed page by page in trial-number order.
 */
export const trialExportRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store } = options
  app.get('/api/v1/experiments/:name/trials::export', {
    schema: {
      summary: 'Download every trial as CSV or JSON',
      description: 'One row per trial by number: number, name, state, each parameter (spec order, as the trial received it: discrete values ' +
        'as written in feasibleSpace.list), objective, each metric\'s latest value (a text metric such as a DARTS genotype as its text), ' +
        'reason, message, createdAt, startedAt, finishedAt, durationSeconds. `format=csv` (default): RFC 4180, a header line, CRLF line ends; ' +
        'a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `\'` so spreadsheets do not run it as a formula ' +
        '(numbers such as -0.5 are left alone). `format=json`: `{experiment, columns, trials}`, each trial with `params`, `metrics` ' +
        '(min, max, latest) and `textMetrics`. Sent as an attachment (`<name>-trials.csv` or `.json`), streamed page by page.',
      tags: ['trials'],
      params: ExperimentParams,
      querystring: ExportQuery,
      produces: ['text/csv', 'application/json'],
      response: {
        200: { description: 'the file (text/csv or application/json)', content: { 'text/csv': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object' } } } },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const experiment = await findExperiment(store, request.params.name)
    const format = request.query.format ?? 'csv'
    const first = await store.trials.page(experiment.id, { sort: 'number', order: 'asc', limit: PAGE })
    // The spec's parameters in order, then any other the trials carry (an architecture search's
    // `architecture` and `nn_config`); the first page stands for all, as trials of one experiment share their names.
    const parameters = new Set(toSearchSpace(experiment.spec).map((p) => p.name))
    for (const t of first.items) for (const name of Object.keys(t.params)) parameters.add(name)
    const layout = exportLayout([...parameters], metricNames(experiment.spec))
    const trials = pages(store, experiment.id, first)
    const body = format === 'csv'
      ? csvStream(trials, experiment.spec, layout)
      : jsonStream(trials, experiment.name, experiment.spec, layout)
    return reply
      .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${experiment.name}-trials.${format}"`)
      .send(Readable.from(body))
  })
}

async function* pages(store: Store, experimentId: string, first: { items: TrialRecord[]; next?: TrialPosition }): AsyncGenerator<TrialRecord> {
  let page = first
  yield* page.items
  while (page.next) {
    page = await store.trials.page(experimentId, { sort: 'number', order: 'asc', limit: PAGE, after: page.next })
    yield* page.items
  }
}

async function* csvStream(trials: AsyncIterable<TrialRecord>, experiment: Experiment, layout: ExportLayout): AsyncGenerator<string> {
  yield csvLine(layout.columns)
  let lines = ''
  for await (const trial of trials) {
    lines += csvLine(csvCells(exportedTrial(trial, experiment, layout), layout))
    if (lines.length >= 64 * 1024) {
      yield lines
      lines = ''
    }
  }
  if (lines !== '') yield lines
}

async function* jsonStream(trials: AsyncIterable<TrialRecord>, name: string, experiment: Experiment, layout: ExportLayout): AsyncGenerator<string> {
  yield `{"experiment":${JSON.stringify(name)},"columns":${JSON.stringify(layout.columns)},"trials":[`
  let chunk = ''
  let separator = ''
  for await (const trial of trials) {
    chunk += separator + JSON.stringify(exportedTrial(trial, experiment, layout))
    separator = ','
    if (chunk.length >= 64 * 1024) {
      yield chunk
      chunk = ''
    }
  }
  yield `${chunk}]}`
}
