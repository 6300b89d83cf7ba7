import { enasAlgorithm } from './enas/enas-definition.ts'
import { evolutionAlgorithm } from './evolution/evolution-definition.ts'
import type { NasAlgorithmDefinition } from './nas-suggester.ts'
import { randomNasAlgorithm } from './random/random-nas-definition.ts'

/**
 * Every architecture-search algorithm this version runs over `spec.nasConfig`, by
 * `algorithmName`. Explicit, like ../registry.ts: each algorithm's folder exports its definition
 * and adds one line here.
 */
export const nasAlgorithms: Readonly<Record<string, NasAlgorithmDefinition<never>>> = {
  enas: enasAlgorithm,
  evolution: evolutionAlgorithm,
  random: randomNasAlgorithm,
}

export function getNasAlgorithm(name: string): NasAlgorithmDefinition | undefined {
  return Object.hasOwn(nasAlgorithms, name) ? nasAlgorithms[name] as NasAlgorithmDefinition : undefined
}
