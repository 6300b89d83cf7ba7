import { algorithms, PLANNED_ALGORITHM_NAMES, type SettingSpec } from '../algorithms/index.ts'

export interface AlgorithmDescription {
  readonly name: string
  readonly description: string
  readonly settings: readonly SettingSpec[]
}

/**
 * Every algorithm this version runs, with its settings schema (types, defaults, ranges), for
 * clients that render settings forms, and the Katib names that validate but cannot run yet.
 */
export function algorithmCatalog(): { items: AlgorithmDescription[]; planned: string[] } {
  return {
    items: Object.values(algorithms).map((a) => ({ name: a.name, description: a.description, settings: a.settings })),
    planned: [...PLANNED_ALGORITHM_NAMES],
  }
}
