import { IMPORTANCE_STATES, importanceInput } from '../../core/importance/importance-input.ts'
import { PED_ANOVA_MIN_TRIALS, pedAnova } from '../../core/importance/ped-anova.ts'
import { toSearchSpace } from '../../core/spec/index.ts'
import type { ExperimentRecord, Store } from '../../db/store.ts'
import type { Importance } from '../schemas/importance.ts'

const QUANTILE = 0.1
/** Experiments whose last answer is kept; a dashboard looks at a few at a time. */
const CACHED_EXPERIMENTS = 32

/**
 * Parameter importance of an experiment's finished trials (core/importance/ped-anova.ts; which
 * trials and parameters: core/importance/importance-input.ts), cached per experiment and keyed
 * by the number of Succeeded and EarlyStopped trials: a trial that finishes
 * changes the key, a page reload or a second viewer does not recompute. Concurrent requests for
 * the same key share one computation.
 */
export class ParameterImportance {
  readonly #store: Store
  readonly #cache = new Map<string, { readonly key: number; readonly value: Promise<Importance> }>()

  constructor(store: Store) {
    this.#store = store
  }

  async of(experiment: ExperimentRecord): Promise<Importance> {
    const counts = await this.#store.trials.countByState(experiment.id)
    const finished = counts.Succeeded + counts.EarlyStopped
    const cached = this.#cache.get(experiment.id)
    if (cached && cached.key === finished) return cached.value
    const value = this.#compute(experiment)
    this.#cache.delete(experiment.id)
    this.#cache.set(experiment.id, { key: finished, value })
    if (this.#cache.size > CACHED_EXPERIMENTS) this.#cache.delete(this.#cache.keys().next().value!)
    value.catch(() => this.#cache.get(experiment.id)?.value === value && this.#cache.delete(experiment.id))
    return value
  }

  async #compute(experiment: ExperimentRecord): Promise<Importance> {
    const spec = experiment.spec
    const records = await this.#store.trials.list(experiment.id, { states: [...IMPORTANCE_STATES] })
    const { parameters, trials, resourceParameter } = importanceInput(toSearchSpace(spec), spec.spec.algorithm, records)
    const resource = resourceParameter !== undefined ? { resourceParameter } : {}
    const result = pedAnova(parameters, trials, { minimize: spec.spec.objective.type !== 'maximize', quantile: QUANTILE, seed: experiment.seed })
    if (!result) {
      return {
        method: 'ped-anova', quantile: QUANTILE, finishedTrials: trials.length, trials: 0, topTrials: 0, threshold: null, parameters: [], ...resource,
        note: `needs at least ${PED_ANOVA_MIN_TRIALS} succeeded or early-stopped trials with an objective value; ${trials.length} so far`,
      }
    }
    return {
      method: 'ped-anova', quantile: QUANTILE, finishedTrials: trials.length, trials: result.trials, topTrials: result.topTrials, ...resource,
      threshold: result.threshold,
      parameters: [...result.parameters].sort((a, b) => b.importance - a.importance),
      note: null,
    }
  }
}
