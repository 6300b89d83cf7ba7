import { algorithms, PLANNED_ALGORITHM_NAMES, type SettingSpec } from '../algorithms/index.ts'
import { nasAlgorithmDefinition, nasAlgorithmNames } from '../algorithms/nas/validate-nas-algorithm.ts'

export interface AlgorithmDescription {
  readonly name: string
  readonly description: string
  readonly settings: readonly SettingSpec[]
}

/**
 * Every algorithm this version runs, with its settings schema (types, defaults, ranges), for
 * clients that render settings forms: those over spec.parameters (`items`) and the architecture
 * searches over spec.nasConfig (`architectureSearches`), and the Katib names that validate but
 * cannot run yet.
 */
export function algorithmCatalog(): { items: AlgorithmDescription[]; architectureSearches: AlgorithmDescription[]; planned: string[] } {
  const describe = (a: AlgorithmDescription) => ({ name: a.name, description: a.description, settings: a.settings })
  return {
    items: Object.values(algorithms).map(describe),
    architectureSearches: nasAlgorithmNames().map((name) => describe(nasAlgorithmDefinition(name)!)),
    planned: [...PLANNED_ALGORITHM_NAMES],
  }
}
