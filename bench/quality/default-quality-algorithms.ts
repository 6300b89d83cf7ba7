import { algorithmNames } from '../../algorithms/registry.ts'

/**
 * Every registered algorithm but grid (a grid's quality is fixed by its resolution, not by
 * seeds) and hyperband (it needs a resource parameter; bench:multifidelity measures it). Read
 * from the registry each time, so newly registered algorithms join automatically.
 */
export function defaultQualityAlgorithms(): string[] {
  return algorithmNames().filter((name) => name !== 'grid' && name !== 'hyperband')
}
