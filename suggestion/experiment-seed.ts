import { randomInt } from 'node:crypto'
import type { Experiment } from '../core/spec/index.ts'
import { getAlgorithm, parseSettings, seedFromSettings } from '../algorithms/index.ts'
import { nasAlgorithmDefinition } from '../algorithms/nas/validate-nas-algorithm.ts'

/**
 * The seed stored with a new experiment: `random_state` fixes it (the same file gives the same
 * parameter sets), otherwise one is drawn. Used by `tunewell run` and by the API alike.
 */
export function experimentSeed(experiment: Experiment): number {
  const name = experiment.spec.algorithm.algorithmName
  const definition = experiment.spec.nasConfig ? nasAlgorithmDefinition(name) : getAlgorithm(name)
  if (definition) {
    const seed = seedFromSettings(parseSettings(definition, experiment.spec.algorithm.algorithmSettings ?? []).settings)
    if (seed !== undefined) return seed
  }
  return randomInt(0, 2 ** 31)
}
