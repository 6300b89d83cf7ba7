import { dartsAlgorithm } from './darts-definition.ts'

/**
 * Whether an experiment of this algorithm may have an objective reported as text: only darts,
 * whose trial reports the genotype it found (`Best-Genotype=Genotype(...)`), as Katib's DARTS
 * example does. Every other algorithm learns from numbers, so for it an objective reported only
 * as text leaves the trial MetricsUnavailable, as a missing one does.
 */
export function acceptsTextObjective(algorithmName: string | undefined): boolean {
  return algorithmName === dartsAlgorithm.name
}
