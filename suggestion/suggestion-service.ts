import type { Experiment } from '../core/spec/index.ts'
import { toSearchSpace } from '../core/spec/index.ts'
import type { TrialSnapshot } from '../core/trial.ts'
import type { Store, TrialRecord } from '../db/store.ts'
import { HypertuneError } from '../core/errors.ts'
import { askAlgorithm } from './ask-algorithm.ts'
import type { AskRequest, AskResult } from './ask-algorithm.ts'
import { trialName } from './trial-name.ts'

/**
 * How the service asks the algorithm: askAlgorithm in this thread (the default), or a
 * SuggestionWorkerPool's `ask`, which runs it in a worker thread (`hypertune serve`).
 */
export type AskFunction = (request: AskRequest) => Promise<AskResult>

/** What we persist per experiment: the algorithm's own state plus whether it ran dry. */
interface SuggestionState {
  readonly algorithm: unknown
  readonly exhausted: boolean
}

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

  async ensureTrials(experimentId: string, wantedTotal: number): Promise<EnsureResult> {
    return this.#store.transaction(async (tx) => {
      await tx.experiments.lock(experimentId)
      const experiment = await tx.experiments.get(experimentId)
      if (!experiment) throw new HypertuneError('EXPERIMENT_NOT_FOUND', `experiment ${experimentId} does not exist`)
      const trials = await tx.trials.list(experimentId)
      const saved = await tx.algorithmStates.get(experimentId)
      const state = (saved?.state ?? { algorithm: undefined, exhausted: false }) as SuggestionState
      const missing = wantedTotal - trials.length
      if (missing <= 0 || state.exhausted) return { created: [], exhausted: state.exhausted }

      const spec = experiment.spec as Experiment
      const { suggestions, state: algorithmState, exhausted } = await this.#ask({
        algorithmName: spec.spec.algorithm.algorithmName,
        settings: spec.spec.algorithm.algorithmSettings ?? [],
        space: toSearchSpace(spec),
        direction: spec.spec.objective.type,
        trials: trials.map(toSnapshot),
        count: missing,
        seed: experiment.seed,
        state: state.algorithm,
      })
      const created = await tx.trials.createMany(
        experimentId,
        suggestions.map((params, i) => ({ name: trialName(experiment.name, experimentId, trials.length + i), params })),
      )
      await tx.algorithmStates.put(experimentId, { algorithm: algorithmState, exhausted }, saved?.version ?? 0)
      for (const trial of created) {
        await tx.events.append({ experimentId, trialId: trial.id, type: 'trial:created', payload: { name: trial.name, params: trial.params } })
      }
      return { created, exhausted }
    })
  }

  async isExhausted(experimentId: string): Promise<boolean> {
    const saved = await this.#store.algorithmStates.get(experimentId)
    return (saved?.state as SuggestionState | undefined)?.exhausted === true
  }
}

export function toSnapshot(trial: TrialRecord): TrialSnapshot {
  return {
    id: trial.id,
    number: trial.number,
    name: trial.name,
    state: trial.state,
    params: trial.params,
    ...(trial.objective !== null ? { objective: trial.objective } : {}),
    createdAt: trial.createdAt,
    ...(trial.finishedAt ? { finishedAt: trial.finishedAt } : {}),
  }
}
