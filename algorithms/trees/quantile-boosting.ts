/**
 * Gradient-boosted regression trees for quantiles (Friedman, "Greedy Function Approximation: A
 * Gradient Boosting Machine", Annals of Statistics 29, 2001, section 4.3 for absolute-error
 * boosting, of which the quantile loss is the asymmetric form), and the surrogate skopt builds
 * from three of them for base_estimator GBRT (`GradientBoostingQuantileRegressor`).
 *
 * One model for quantile α minimises the pinball loss ρ_α(r) = r·(α − 1[r < 0]) of the
 * residual r = y − F(x):
 * - F₀ is the α-quantile of y;
 * - each stage fits a depth-3 tree (min_samples_leaf 1, best splits) by squared error to the
 *   negative gradient, α where y > F and α − 1 elsewhere, which only decides the regions; each
 *   leaf's value is then the exact line search of the pinball loss there, the α-quantile of the
 *   residuals of its rows (Friedman's Algorithm 3 step, as scikit-learn does);
 * - F ← F + ν·leaf value, ν = 0.1, for 30 stages (skopt's `cook_estimator`: n_estimators 30;
 *   scikit-learn's learning_rate 0.1 and max_depth 3).
 *
 * The surrogate fits α = 0.16, 0.5 and 0.84 (skopt's quantiles, ±1σ of a normal): its mean is
 * the median model and its standard deviation half the distance between the outer two. Unlike
 * a forest's, this spread is the model's estimate of how much y varies around x, not how little
 * it knows there; far from data it is the spread of the nearest region the trees carved. The
 * quantile models are fitted independently and may cross; a crossed pair gives 0, not a
 * negative deviation.
 */
import { RegressionTree } from './regression-tree.ts'
import type { Prediction } from './tree-forest.ts'

export interface QuantileBoostingOptions {
  readonly stages: number
  readonly learningRate: number
  readonly maxDepth: number
  readonly minSamplesLeaf: number
}

export const GBRT_DEFAULTS: QuantileBoostingOptions = { stages: 30, learningRate: 0.1, maxDepth: 3, minSamplesLeaf: 1 }
/** skopt's quantiles: the median and ±1σ of a normal. */
export const GBRT_QUANTILES = [0.16, 0.5, 0.84] as const

/** The α-quantile of values, by linear interpolation between order statistics (numpy's default). */
export function quantile(values: readonly number[], alpha: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const position = alpha * (sorted.length - 1)
  const below = Math.floor(position)
  const above = Math.min(below + 1, sorted.length - 1)
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!)
}

export class QuantileBoosting {
  private constructor(private readonly base: number, private readonly stages: readonly RegressionTree[], private readonly learningRate: number) {}

  static fit(x: Float64Array, n: number, d: number, y: ArrayLike<number>, alpha: number, options: QuantileBoostingOptions = GBRT_DEFAULTS): QuantileBoosting {
    if (n === 0) throw new RangeError('a boosted model needs at least one observation')
    const ys = Array.from({ length: n }, (_, i) => y[i]!)
    const base = quantile(ys, alpha)
    const f = new Float64Array(n).fill(base)
    const gradient = new Float64Array(n)
    const rows = Array.from({ length: n }, (_, i) => i)
    const stages: RegressionTree[] = []
    for (let s = 0; s < options.stages; s++) {
      for (let i = 0; i < n; i++) gradient[i] = ys[i]! > f[i]! ? alpha : alpha - 1
      const tree = RegressionTree.fit(x, d, gradient, rows, { splitter: 'best', minSamplesLeaf: options.minSamplesLeaf, maxDepth: options.maxDepth })
      const residuals = new Map<number, number[]>()
      const leafOf = new Int32Array(n)
      for (let i = 0; i < n; i++) {
        const leaf = tree.leaf(x, i * d)
        leafOf[i] = leaf
        let list = residuals.get(leaf)
        if (!list) residuals.set(leaf, (list = []))
        list.push(ys[i]! - f[i]!)
      }
      for (const [leaf, list] of residuals) tree.setLeafValue(leaf, quantile(list, alpha))
      for (let i = 0; i < n; i++) f[i] = f[i]! + options.learningRate * tree.value[leafOf[i]!]!
      stages.push(tree)
    }
    return new QuantileBoosting(base, stages, options.learningRate)
  }

  predict(x: ArrayLike<number>, offset = 0): number {
    let value = this.base
    for (const tree of this.stages) value += this.learningRate * tree.predict(x, offset)
    return value
  }
}

/** skopt's GradientBoostingQuantileRegressor: a median model and a ±1σ pair. */
export class GbrtSurrogate {
  private constructor(private readonly low: QuantileBoosting, private readonly median: QuantileBoosting, private readonly high: QuantileBoosting) {}

  static fit(x: Float64Array, n: number, d: number, y: ArrayLike<number>, options: QuantileBoostingOptions = GBRT_DEFAULTS): GbrtSurrogate {
    const [low, median, high] = GBRT_QUANTILES.map((alpha) => QuantileBoosting.fit(x, n, d, y, alpha, options))
    return new GbrtSurrogate(low!, median!, high!)
  }

  predict(x: ArrayLike<number>, offset = 0, out: Prediction = { mean: 0, sd: 0 }): Prediction {
    out.mean = this.median.predict(x, offset)
    out.sd = Math.max((this.high.predict(x, offset) - this.low.predict(x, offset)) / 2, 0)
    return out
  }
}
