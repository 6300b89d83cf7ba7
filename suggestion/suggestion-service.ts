import { algorithmUsesHistory, algorithmUsesIntermediateValues } from '../algorithms/index.ts'
import type { Experiment, ObjectiveSpec } from '../core/spec/index.ts'
import type { Direction } from '../algorithms/index.ts'
import { constraintsOf, objectivesOf } from '../core/multiobjective/objectives.ts'
import { constraintViolations, objectiveValues } from '../core/multiobjective/trial-vector.ts'
import { enqueuedTrials, priorSnapshots, toSearchSpace } from '../core/spec/index.ts'
import type { IntermediateValue, TrialSnapshot } from '../core/trial.ts'
import type { ExperimentRecord, Store, TrialRecord, TrialTally } from '../db/store.ts'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { TunewellError } from '../core/errors.ts'
import { askAlgorithm } from './ask-algorithm.ts'
import type { AskRequest, AskResult } from './ask-algorithm.ts'
import { trialName } from './trial-name.ts'
import { EMPTY_SUGGESTION_STATE, type SuggestionState } from './suggestion-state.ts'

/**
 * How the service asks the algorithm: askAlgorithm in this thread (the default), or a
 * SuggestionWorkerPool's `ask`, which runs it in a worker thread (`tunewell serve`).
 */
export type AskFunction = (request: AskRequest) => Promise<AskResult>

/**
 * The most trials one creation asks the algorithm for and writes, in one transaction that holds
 * the experiment's lock. A larger want is met in several, with the event loop free between them,
 * so no experiment (parallelTrialCount in the hundreds, an ask/tell top-up) holds a huge batch
 * in memory or keeps the server from answering meanwhile.
 */
export const TRIAL_BATCH = 64

export interface EnsureResult {
  readonly created: readonly TrialRecord[]
  readonly exhausted: boolean
}

/**
 * Katib's Suggestion, in-process. The caller states the total number of trials it wants and
 * only the missing ones are created (Katib's `requests - suggestionCount`), under a lock on the
 * experiment row and in one transaction with the algorithm state, so a retried or concurrent
 * call can never create a trial twice.
 */
export class SuggestionService {
  readonly #store: Store
  readonly #ask: AskFunction

  constructor(store: Store, ask: AskFunction = askAlgorithm) {
    this.#store = store
    this.#ask = ask
  }

  /** Creates trials until the experiment has `wantedTotal`, TRIAL_BATCH at a time, or the algorithm runs dry. */
  async ensureTrials(experimentId: string, wantedTotal: number): Promise<EnsureResult> {
    const created: TrialRecord[] = []
    for (;;) {
      const batch = await this.createTrials(experimentId, (tally) => wantedTotal - tally.total)
      created.push(...batch.created)
      if (batch.exhausted || batch.created.length < TRIAL_BATCH) return { created, exhausted: batch.exhausted }
      await yieldToEventLoop()
    }
  }

  /**
   * Creates `want(tally, experiment)` trials, at most TRIAL_BATCH (none when 0 or less), deciding on counts and the
   * experiment as they are under the experiment lock. Only algorithms that use the history get it (see
   * AlgorithmDefinition.usesHistory); the others cost one count query however many trials exist.
   */
  async createTrials(experimentId: string, want: (tally: TrialTally, experiment: ExperimentRecord) => number): Promise<EnsureResult> {
    return this.#store.transaction(async (tx) => {
      await tx.experiments.lock(experimentId)
      const experiment = await tx.experiments.get(experimentId)
      if (!experiment) throw new TunewellError('EXPERIMENT_NOT_FOUND', `experiment ${experimentId} does not exist`)
      const spec = experiment.spec
      const space = toSearchSpace(spec)
      // Architecture searches read the trials' architectures back (ask-nas-algorithm.ts).
      const usesHistory = spec.spec.nasConfig !== undefined || algorithmUsesHistory(spec.spec.algorithm.algorithmName, space)
      const trials = usesHistory ? await tx.trials.list(experimentId) : undefined
      const tally = trials ? tallyOf(trials) : await tx.trials.tally(experimentId)
      const saved = await tx.algorithmStates.get(experimentId)
      const state = (saved?.state ?? EMPTY_SUGGESTION_STATE) as SuggestionState
      const missing = Math.min(want(tally, experiment), TRIAL_BATCH)
      if (missing <= 0 || state.exhausted) return { created: [], exhausted: state.exhausted }

      // One query for the whole experiment, and only when something reads the curves.
      const curves = trials && needsIntermediateValues(spec)
        ? await tx.observations.curves(experimentId, spec.spec.objective.objectiveMetricName)
        : undefined
      // Queued sets (tunewell.dev/enqueue-trials) are the first trials, before any suggestion.
      const annotated = enqueuedTrials(spec, space).params.slice(tally.total, tally.total + missing)
      // Then those enqueued through the API (POST .../trials:enqueue), oldest first.
      const fromQueue = (state.queued ?? []).slice(0, missing - annotated.length)
      const queued = [...annotated, ...fromQueue]
      const rest = missing - queued.length
      // A warm start's trials (seed-warm-start.ts); architecture searches do not read them.
      const prior = spec.spec.nasConfig ? undefined : priorSnapshots(state.warmStart)
      const { suggestions, state: algorithmState, exhausted, parents } = rest === 0
        ? { suggestions: [], state: state.algorithm, exhausted: false, parents: undefined }
        : await this.#ask({
          algorithmName: spec.spec.algorithm.algorithmName,
          settings: spec.spec.algorithm.algorithmSettings ?? [],
          space,
          direction: spec.spec.objective.type,
          ...objectiveShape(spec),
          trials: trials ? trials.map((t) => toSnapshot(t, curves?.get(t.id), spec.spec.objective)) : [],
          trialCount: tally.total + queued.length,
          count: rest,
          seed: experiment.seed,
          state: state.algorithm,
          ...(prior ? { priorTrials: prior } : {}),
          ...(spec.spec.nasConfig ? { nasConfig: spec.spec.nasConfig } : {}),
        })
      const lineage = await lineageOf(tx, experimentId, trials, parents, suggestions.length)
      const created = await tx.trials.createMany(
        experimentId,
        [...queued.map((params) => ({ params })), ...suggestions.map((params, i) => ({ params, ...lineage[i] }))]
          .map((trial, i) => ({ name: trialName(experiment.name, experimentId, tally.total + i), ...trial })),
      )
      const next: SuggestionState = {
        ...state, algorithm: algorithmState, exhausted,
        ...(state.queued ? { queued: state.queued.slice(fromQueue.length) } : {}),
      }
      await tx.algorithmStates.put(experimentId, next, saved?.version ?? 0)
      // One statement: the experiment stays locked while they are written.
      await tx.events.appendMany(created.map((trial) =>
        ({ experimentId, trialId: trial.id, type: 'trial:created', payload: { name: trial.name, params: trial.params } })))
      return { created, exhausted }
    })
  }

  async isExhausted(experimentId: string): Promise<boolean> {
    return isSuggestionExhausted(this.#store, experimentId)
  }
}

/** Whether the experiment's algorithm said it has nothing more to suggest; `store` may be a transaction's. */
export async function isSuggestionExhausted(store: Store, experimentId: string): Promise<boolean> {
  const saved = await store.algorithmStates.get(experimentId)
  return (saved?.state as SuggestionState | undefined)?.exhausted === true
}

function tallyOf(trials: readonly TrialRecord[]): TrialTally {
  const count = (state: TrialRecord['state']) => trials.filter((t) => t.state === state).length
  return { total: trials.length, Pending: count('Pending'), Running: count('Running'), Failed: count('Failed'), MetricsUnavailable: count('MetricsUnavailable') }
}

/**
 * Whether the suggestion path must read the objective's learning curves: the algorithm reads
 * them, or an early-stopping rule may stop trials (whose curves TPE then ranks by).
 */
export function needsIntermediateValues(spec: Experiment): boolean {
  return Boolean(spec.spec.earlyStopping?.algorithmName) || algorithmUsesIntermediateValues(spec.spec.algorithm.algorithmName)
}

/**
 * The parent id and generation of each new trial from the algorithm's `parents` (trial names).
 * A name that is no trial of the experiment starts afresh rather than failing the suggestion.
 */
async function lineageOf(
  store: Store,
  experimentId: string,
  trials: readonly TrialRecord[] | undefined,
  parents: readonly (string | null)[] | undefined,
  count: number,
): Promise<{ parentTrialName: string | null; generation: number }[]> {
  const byName = new Map((trials ?? []).map((t) => [t.name, t]))
  const lineage: { parentTrialName: string | null; generation: number }[] = []
  for (let i = 0; i < count; i++) {
    const name = parents?.[i] ?? null
    const parent = name === null ? undefined : byName.get(name) ?? await store.trials.getByName(name)
    lineage.push(parent?.experimentId === experimentId ? { parentTrialName: parent.name, generation: parent.generation + 1 } : { parentTrialName: null, generation: 0 })
  }
  return lineage
}

/**
 * The multi-objective part of a suggestion request: every objective's direction (only with two
 * or more) and how many constraints there are (only with some).
 */
export function objectiveShape(spec: Experiment): { directions?: Direction[]; constraintCount?: number } {
  const objectives = objectivesOf(spec.spec.objective)
  const constraintCount = constraintsOf(spec.spec.objective).length
  return {
    ...(objectives.length >= 2 ? { directions: objectives.map((o) => o.direction) } : {}),
    ...(constraintCount > 0 ? { constraintCount } : {}),
  }
}

/**
 * What an algorithm sees of a trial. With `objective` (the experiment's spec.objective), a
 * Succeeded trial of a multi-objective experiment gets its `values` and one with constraints
 * its `constraints` (violations), read from its metric summaries (trial-vector.ts).
 */
export function toSnapshot(trial: TrialRecord, intermediate?: readonly IntermediateValue[], objective?: ObjectiveSpec): TrialSnapshot {
  const vector = objective && trial.state === 'Succeeded' ? objectiveVector(objective, trial) : {}
  return {
    id: trial.id,
    number: trial.number,
    name: trial.name,
    state: trial.state,
    params: trial.params,
    ...(trial.objective !== null ? { objective: trial.objective } : {}),
    ...vector,
    ...(intermediate && intermediate.length > 0 ? { intermediate } : {}),
    createdAt: trial.createdAt,
    ...(trial.finishedAt ? { finishedAt: trial.finishedAt } : {}),
  }
}

function objectiveVector(objective: ObjectiveSpec, trial: TrialRecord): { values?: number[]; constraints?: number[] } {
  const multi = objective.objectives !== undefined && objectivesOf(objective).length >= 2
  const values = multi ? objectiveValues(objective, trial.metrics, trial.objective) : undefined
  const constraints = objective.constraints?.length ? constraintViolations(objective, trial.metrics) : undefined
  return { ...(values ? { values } : {}), ...(constraints ? { constraints } : {}) }
}
