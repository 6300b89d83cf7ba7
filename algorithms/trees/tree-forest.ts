/**
 * Random forests (Breiman, "Random Forests", Machine Learning 45, 2001) and extremely
 * randomised trees (Geurts, Ernst & Wehenkel, "Extremely randomized trees", Machine Learning
 * 63, 2006) as regression surrogates with an uncertainty, the way SMAC (Hutter, Hoos &
 * Leyton-Brown, "Sequential Model-Based Optimization for General Algorithm Configuration",
 * LION 2011, section 4.3) and scikit-optimize's `RandomForestRegressor` and
 * `ExtraTreesRegressor` use them.
 *
 * - RF: each tree grows on a bootstrap sample (n rows drawn with replacement) with the best
 *   split at each node. ET: each tree grows on all rows with random cuts (regression-tree.ts).
 * - Mean: the average of the trees' leaf means at x.
 * - Variance: the law of total variance over a uniform mixture of the trees, each tree a
 *   distribution with its leaf's mean and variance: Var = E_t[σ²_t + μ²_t] − μ². The
 *   variance across trees says how much the trees disagree (large far from data, where leaves
 *   are wide and cut differently); the leaf variance says how much the data in one leaf
 *   disagree. This is skopt's `_return_std`, with its `min_variance` floor on each leaf's
 *   variance (0 by default, as skopt's `cook_estimator` leaves it).
 *
 * Defaults are skopt's inside `Optimizer` (`cook_estimator`): 100 trees, min_samples_leaf 3,
 * every feature considered at each split, unlimited depth.
 */
import type { Rng } from '../../core/rng.ts'
import { RegressionTree } from './regression-tree.ts'

export type ForestKind = 'RF' | 'ET'

export interface ForestOptions {
  readonly kind: ForestKind
  readonly trees: number
  readonly minSamplesLeaf: number
  /** Floor on each leaf's variance (skopt's min_variance). */
  readonly minVariance: number
  readonly rng: Rng
}

export const FOREST_DEFAULTS = { trees: 100, minSamplesLeaf: 3, minVariance: 0 } as const

export interface Prediction {
  mean: number
  sd: number
}

export class TreeForest {
  private constructor(private readonly trees: readonly RegressionTree[], private readonly minVariance: number) {}

  /** Fits on n rows of x (row-major n×d) with targets y. */
  static fit(x: Float64Array, n: number, d: number, y: ArrayLike<number>, options: ForestOptions): TreeForest {
    if (n === 0) throw new RangeError('a forest needs at least one observation')
    const all = Array.from({ length: n }, (_, i) => i)
    const trees: RegressionTree[] = []
    for (let t = 0; t < options.trees; t++) {
      const rows = options.kind === 'RF' ? all.map(() => options.rng.int(n)) : all
      trees.push(RegressionTree.fit(x, d, y, rows, {
        splitter: options.kind === 'RF' ? 'best' : 'random',
        minSamplesLeaf: options.minSamplesLeaf,
        maxDepth: Infinity,
        rng: options.rng,
      }))
    }
    return new TreeForest(trees, options.minVariance)
  }

  get size(): number {
    return this.trees.length
  }

  /** Mean and standard deviation at the point of x starting at `offset`. */
  predict(x: ArrayLike<number>, offset = 0, out: Prediction = { mean: 0, sd: 0 }): Prediction {
    let sum = 0
    let second = 0
    for (const tree of this.trees) {
      const leaf = tree.leaf(x, offset)
      const mean = tree.value[leaf]!
      sum += mean
      second += Math.max(tree.variance[leaf]!, this.minVariance) + mean * mean
    }
    const mean = sum / this.trees.length
    out.mean = mean
    out.sd = Math.sqrt(Math.max(second / this.trees.length - mean * mean, 0))
    return out
  }
}
