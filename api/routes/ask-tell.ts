import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { DEFAULT_HEARTBEAT_TIMEOUT_SECONDS, type AppOptions } from '../app-options.ts'
import { countObservationsIngested } from '../metrics/tunewell-metrics.ts'
import { BestObjectiveCache } from '../operations/best-objective-cache.ts'
import { specEarlyStopping } from '../operations/early-stopping.ts'
import { heartbeatTrial } from '../operations/heartbeat-trial.ts'
import { pushObservations } from '../operations/push-observations.ts'
import { tellTrial } from '../operations/tell-trial.ts'
import { DEFAULT_PARALLEL, TrialDispenser } from '../operations/trial-dispenser.ts'
import { WorkerBatches } from '../operations/worker-batches.ts'
import {
  AskBody, AskedTrialSchema, PushAnswerSchema, PushBody, ShouldStopSchema, TellBody, WorkerSignalBody,
} from '../schemas/ask-tell.ts'
import { errorResponses, ExperimentParams, TrialParams } from '../schemas/common.ts'
import { TrialSchema } from '../schemas/trial.ts'
import { trialView } from '../views/trial-view.ts'

const TAGS = ['ask/tell']
// The regexes keep a name from swallowing the `:verb`; `::` is a literal colon in find-my-way.
const TRIAL = '/api/v1/experiments/:name/trials/:trial(^[^/:]+)'

/**
 * Ask/tell for outside workers (docs/api.md, "Ask/tell"): experiments without a trialTemplate
 * hand their trials to whoever asks, and take results, heartbeats and intermediate points back.
 */
export const askTellRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store } = options
  const heartbeatTimeoutSeconds = options.heartbeatTimeoutSeconds ?? DEFAULT_HEARTBEAT_TIMEOUT_SECONDS
  // Without a rule of its own, the app applies each experiment's spec.earlyStopping.
  const earlyStopping = options.earlyStopping ?? specEarlyStopping(store)
  const batches = new WorkerBatches(store, { defaultMaxRunning: DEFAULT_PARALLEL, staleSeconds: heartbeatTimeoutSeconds })
  const dispenser = new TrialDispenser({
    store,
    suggestions: new SuggestionService(store, ...(options.suggest ? [options.suggest] : [])),
    batches,
    heartbeatTimeoutSeconds,
    earlyStopping,
  })
  const bestObjectives = new BestObjectiveCache()
  // Suggestions created ahead of asks must not outlive the store.
  app.addHook('onClose', async () => dispenser.settled())
  // Every body here is optional as a whole (`curl -X POST .../trials:ask` asks with none).
  app.addHook('preValidation', async (request) => {
    request.body ??= {}
  })

  app.post('/api/v1/experiments/:name(^[^/:]+)/trials::ask', {
    schema: {
      summary: 'Ask for a trial to run',
      description: 'For experiments without trialTemplate. Answers a Running trial (a stale one handed out again first, then a new one). ' +
        'A retried ask with the same idempotencyKey answers the same trial and creates nothing. 409 EXPERIMENT_COMPLETED when it is over; ' +
        '409 NO_TRIAL_AVAILABLE with Retry-After while parallelTrialCount trials run or the rest of maxTrialCount is held by running trials.',
      tags: TAGS,
      params: ExperimentParams,
      body: AskBody,
      response: { 200: AskedTrialSchema, ...errorResponses },
    },
  }, async (request) => {
    const { experimentName, trial, assignments } = await dispenser.ask(request.params.name, request.body)
    return {
      experiment: experimentName,
      name: trial.name,
      number: trial.number,
      state: trial.state,
      params: { ...trial.params },
      parameterAssignments: Object.entries(assignments).map(([name, value]) => ({ name, value })),
      attempt: trial.restarts + 1,
      heartbeatTimeoutSeconds,
    }
  })

  app.post(`${TRIAL}::tell`, {
    schema: {
      summary: 'Tell a trial\'s result',
      description: 'Succeeded (default) with value (the objective metric), values by metric, or values as an array in objective order ' +
        '(several objectives), or Failed with a message. The told value is the trial\'s objective (as Optuna\'s tell); without one, the ' +
        'objective is the objective metric\'s strategy over its reported points, and without those the trial ends MetricsUnavailable. ' +
        'Updates the best trial and completes the experiment as the controller would. 409 TRIAL_FINISHED when the trial no longer runs, ' +
        'TRIAL_REOFFERED when attempt is not the current one.',
      tags: TAGS,
      params: TrialParams,
      body: TellBody,
      response: { 200: TrialSchema, ...errorResponses },
    },
  }, async (request) => {
    const told = await tellTrial(store, batches, bestObjectives, request.params.name, request.params.trial, request.body)
    const { value, values } = request.body
    countObservationsIngested(options.metrics, values ? (Array.isArray(values) ? values.length : Object.keys(values).length) : value !== undefined ? 1 : 0)
    return trialView(told)
  })

  app.post(`${TRIAL}::heartbeat`, {
    schema: {
      summary: 'Keep a trial',
      description: 'A sign of life: a trial without one for the heartbeat timeout is handed to another worker. ' +
        'shouldStop is true when the trial was killed, the experiment stopped or completed, or the trial was handed to another worker.',
      tags: TAGS,
      params: TrialParams,
      body: WorkerSignalBody,
      response: { 200: ShouldStopSchema, ...errorResponses },
    },
  }, async (request) => heartbeatTrial(store, batches, request.params.name, request.params.trial, request.body.attempt))

  app.post(`${TRIAL}/observations`, {
    schema: {
      summary: 'Push intermediate values',
      description: 'Points { metric, step, value } of a Running ask/tell trial, many per request; idempotent on (metric, step), ' +
        'so a resent batch adds nothing. Counts as a heartbeat. NaN and ±Infinity may be sent as the strings "NaN", "Infinity", "-Infinity". ' +
        'shouldStop as for heartbeats, or when an early-stopping rule says so; then nothing is stored.',
      tags: TAGS,
      params: TrialParams,
      body: PushBody,
      response: { 200: PushAnswerSchema, ...errorResponses },
    },
  }, async (request) => {
    const answer = await pushObservations(store, batches, request.params.name, request.params.trial, request.body, earlyStopping)
    countObservationsIngested(options.metrics, answer.accepted)
    return answer
  })
}
