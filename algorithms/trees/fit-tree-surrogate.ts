/**
 * The tree surrogates of Katib's bayesianoptimization behind one shape: fit on (x, y), predict
 * a mean and a standard deviation. Which one runs is the `base_estimator` setting.
 */
import type { Rng } from '../../core/rng.ts'
import { GbrtSurrogate } from './quantile-boosting.ts'
import { FOREST_DEFAULTS, TreeForest } from './tree-forest.ts'
import type { Prediction } from './tree-forest.ts'

export const TREE_ESTIMATORS = ['RF', 'ET', 'GBRT'] as const
export type TreeEstimator = (typeof TREE_ESTIMATORS)[number]

export interface TreeSurrogate {
  predict(x: ArrayLike<number>, offset?: number, out?: Prediction): Prediction
}

export function isTreeEstimator(name: string): name is TreeEstimator {
  return (TREE_ESTIMATORS as readonly string[]).includes(name)
}

/** Fits base_estimator `kind` with skopt's defaults on n rows of x (row-major n×d). */
export function fitTreeSurrogate(kind: TreeEstimator, x: Float64Array, n: number, d: number, y: ArrayLike<number>, rng: Rng): TreeSurrogate {
  if (kind === 'GBRT') return GbrtSurrogate.fit(x, n, d, y)
  return TreeForest.fit(x, n, d, y, { kind, ...FOREST_DEFAULTS, rng })
}
