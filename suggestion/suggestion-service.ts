import { createRng, deriveSeed } from '../core/rng.ts'
import type { Experiment } from '../core/spec/index.ts'
import { toSearchSpace } from '../core/spec/index.ts'
import type { TrialSnapshot } from '../core/trial.ts'
import { getAlgorithm, parseSettings } from '../algorithms/index.ts'
import type { Store, TrialRecord } from '../db/store.ts'
import { HypertuneError } from '../core/errors.ts'
import { trialName } from './trial-name.ts'

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

  constructor(store: Store) {
    this.#store = store
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
      const algorithmName = spec.spec.algorithm.algorithmName
      const definition = getAlgorithm(algorithmName)
      if (!definition) throw new HypertuneError('ALGORITHM_SETTINGS_INVALID', `unknown algorithm "${algorithmName}"`)
      const { settings } = parseSettings(definition, spec.spec.algorithm.algorithmSettings ?? [])
      const result = await definition.create(settings).suggest({
        space: toSearchSpace(spec),
        direction: spec.spec.objective.type,
        trials: trials.map(toSnapshot),
        count: missing,
        rng: createRng(deriveSeed(experiment.seed, trials.length)),
        state: state.algorithm,
      })
      const suggestions = result.suggestions.slice(0, missing)
      const created = await tx.trials.createMany(
        experimentId,
        suggestions.map((params, i) => ({ name: trialName(experiment.name, experimentId, trials.length + i), params })),
      )
      const exhausted = result.exhausted === true || suggestions.length < missing
      await tx.algorithmStates.put(experimentId, { algorithm: result.state ?? null, exhausted }, saved?.version ?? 0)
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
