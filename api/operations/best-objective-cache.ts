import type { Store } from '../../db/store.ts'

const LIMIT = 10_000

/**
 * Objectives of best trials by trial id, so a tell can compare its value with the best without
 * a query. Safe to cache: a Succeeded trial's objective never changes; an experiment's best
 * changes its id, which is simply looked up once.
 */
export class BestObjectiveCache {
  readonly #objectives = new Map<string, number | undefined>()

  async get(store: Store, trialId: string | null): Promise<number | undefined> {
    if (trialId === null) return undefined
    if (this.#objectives.has(trialId)) return this.#objectives.get(trialId)
    const objective = (await store.trials.get(trialId))?.objective ?? undefined
    this.set(trialId, objective)
    return objective
  }

  set(trialId: string, objective: number | undefined): void {
    if (this.#objectives.size >= LIMIT) this.#objectives.clear()
    this.#objectives.set(trialId, objective)
  }
}
