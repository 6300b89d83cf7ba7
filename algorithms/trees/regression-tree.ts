/**
 * A CART regression tree (Breiman, Friedman, Olshen & Stone, "Classification and Regression
 * Trees", 1984) grown to squared error, the building block of the forests and the boosted
 * quantile models of base_estimator RF, ET and GBRT. Each leaf keeps the mean of its training
 * targets (the prediction) and their variance (scikit-learn's leaf `impurity`, which the
 * forests turn into an uncertainty; tree-forest.ts).
 *
 * Two ways to split a node, scikit-learn's two splitters:
 * - `best`: every feature, every cut between two distinct sorted values, the one with the
 *   largest drop in squared error; the cut sits half-way between the two values.
 * - `random` (extremely randomised trees, Geurts, Ernst & Wehenkel, Machine Learning 63, 2006):
 *   one cut per feature drawn uniformly between the node's smallest and largest value of it;
 *   the best of those cuts. A cut that leaves fewer than `minSamplesLeaf` rows on a side is
 *   dropped for that feature, as scikit-learn's random splitter does.
 *
 * Every feature is a candidate at every node (scikit-learn's regression default
 * max_features = 1.0, which skopt keeps). Rows may repeat (a bootstrap sample): a repeated row
 * counts as often as it appears, for the means, variances and `minSamplesLeaf` alike.
 */
import type { Rng } from '../../core/rng.ts'

export interface TreeOptions {
  readonly splitter: 'best' | 'random'
  /** A split must leave at least this many rows on each side. */
  readonly minSamplesLeaf: number
  /** Depth of the deepest leaf; the root is depth 0. Infinity: until the leaves are pure or too small. */
  readonly maxDepth: number
  /** Draws the random cuts; unused by `best`. */
  readonly rng?: Rng
}

/** Variance below this (relative to the node's mean square) is a pure node, not worth a split. */
const PURE = 1e-12

export class RegressionTree {
  /** Per node: split feature, or -1 for a leaf. Grown as arrays, then packed (`pack`). */
  private feature: number[] | Int32Array = []
  private threshold: number[] | Float64Array = []
  private left: number[] | Int32Array = []
  private right: number[] | Int32Array = []
  /** Per node: mean and variance of the rows that reached it. */
  readonly value: number[] = []
  readonly variance: number[] = []

  private constructor(private readonly d: number) {}

  /**
   * Grows a tree on `rows` (indices into x, row-major n×d, repeats allowed) with targets y
   * (indexed like x).
   */
  static fit(x: Float64Array, d: number, y: ArrayLike<number>, rows: readonly number[], options: TreeOptions): RegressionTree {
    if (rows.length === 0) throw new RangeError('a regression tree needs at least one row')
    const tree = new RegressionTree(d)
    const minLeaf = Math.max(1, Math.floor(options.minSamplesLeaf))
    // Depth-first with an explicit stack: node ids stay in creation order, and no recursion limit.
    const root = tree.addNode(y, rows)
    // The best splitter scans each feature in sorted order. Rows are sorted once per feature at
    // the root and each split partitions those orders stably, so no node sorts again.
    const rootOrders = options.splitter === 'best' ? sortedOrders(x, d, rows) : undefined
    const stack: Pending[] = [{ node: root, rows: Int32Array.from(rows), orders: rootOrders, depth: 0 }]
    while (stack.length > 0) {
      const { node, rows: nodeRows, orders, depth } = stack.pop()!
      if (depth >= options.maxDepth || nodeRows.length < 2 * minLeaf) continue
      const mean = tree.value[node]!
      if (tree.variance[node]! <= PURE * Math.max(1, mean * mean)) continue
      const split = orders ? bestSplit(x, d, y, orders, minLeaf) : randomSplit(x, d, y, nodeRows, minLeaf, options.rng!)
      if (!split) continue
      const goesLeft = (r: number): boolean => x[r * d + split.feature]! <= split.threshold
      const [leftRows, rightRows] = partition(nodeRows, goesLeft)
      if (leftRows.length === 0 || rightRows.length === 0) continue
      const l = tree.addNode(y, leftRows)
      const rr = tree.addNode(y, rightRows)
      tree.feature[node] = split.feature
      tree.threshold[node] = split.threshold
      tree.left[node] = l
      tree.right[node] = rr
      const childOrders = orders?.map((order) => partition(order, goesLeft))
      stack.push(
        { node: rr, rows: rightRows, orders: childOrders?.map((pair) => pair[1]), depth: depth + 1 },
        { node: l, rows: leftRows, orders: childOrders?.map((pair) => pair[0]), depth: depth + 1 },
      )
    }
    tree.pack()
    return tree
  }

  /** Typed arrays for the walks of `leaf`, which a prediction over thousands of candidates repeats. */
  private pack(): void {
    this.feature = Int32Array.from(this.feature)
    this.threshold = Float64Array.from(this.threshold)
    this.left = Int32Array.from(this.left)
    this.right = Int32Array.from(this.right)
  }

  /** Index of the leaf that point `x` (length d, read from `offset`) falls into. */
  leaf(x: ArrayLike<number>, offset = 0): number {
    let node = 0
    while (this.feature[node]! >= 0) {
      node = x[offset + this.feature[node]!]! <= this.threshold[node]! ? this.left[node]! : this.right[node]!
    }
    return node
  }

  predict(x: ArrayLike<number>, offset = 0): number {
    return this.value[this.leaf(x, offset)]!
  }

  /** Replaces a leaf's prediction (the boosting's line search sets its own leaf values). */
  setLeafValue(leaf: number, value: number): void {
    this.value[leaf] = value
  }

  get nodeCount(): number {
    return this.feature.length
  }

  get dimensions(): number {
    return this.d
  }

  private addNode(y: ArrayLike<number>, rows: ArrayLike<number>): number {
    let sum = 0
    for (let i = 0; i < rows.length; i++) sum += y[rows[i]!]!
    const mean = sum / rows.length
    let squares = 0
    for (let i = 0; i < rows.length; i++) squares += (y[rows[i]!]! - mean) ** 2
    ;(this.feature as number[]).push(-1)
    ;(this.threshold as number[]).push(0)
    ;(this.left as number[]).push(-1)
    ;(this.right as number[]).push(-1)
    this.value.push(mean)
    this.variance.push(squares / rows.length)
    return this.feature.length - 1
  }
}

interface Pending {
  readonly node: number
  readonly rows: Int32Array
  /** Per feature, `rows` sorted by it; only for the best splitter. */
  readonly orders: Int32Array[] | undefined
  readonly depth: number
}

interface Split {
  readonly feature: number
  readonly threshold: number
}

/**
 * The cut with the largest Σ²_left/n_left + Σ²_right/n_right, which is the largest drop in
 * squared error (the total Σy² is the same for every cut).
 */
function bestSplit(x: Float64Array, d: number, y: ArrayLike<number>, orders: readonly Int32Array[], minLeaf: number): Split | undefined {
  const n = orders[0]!.length
  let total = 0
  for (let i = 0; i < n; i++) total += y[orders[0]![i]!]!
  let bestScore = (total * total) / n
  let best: Split | undefined
  for (let j = 0; j < d; j++) {
    const order = orders[j]!
    let leftSum = 0
    for (let i = 0; i < n - 1; i++) {
      leftSum += y[order[i]!]!
      const nLeft = i + 1
      if (nLeft < minLeaf) continue
      if (n - nLeft < minLeaf) break
      const here = x[order[i]! * d + j]!
      const next = x[order[i + 1]! * d + j]!
      if (next <= here) continue
      const rightSum = total - leftSum
      const score = (leftSum * leftSum) / nLeft + (rightSum * rightSum) / (n - nLeft)
      // A relative margin: a cut that only wins by rounding is no cut.
      if (score > bestScore + 1e-12 * Math.abs(bestScore)) {
        bestScore = score
        const mid = here + (next - here) / 2
        best = { feature: j, threshold: mid < next ? mid : here }
      }
    }
  }
  return best
}

/** For each feature, the rows ordered by that feature (ties by row, so repeats sit together). */
function sortedOrders(x: Float64Array, d: number, rows: readonly number[]): Int32Array[] {
  return Array.from({ length: d }, (_, j) => Int32Array.from([...rows].sort((a, b) => x[a * d + j]! - x[b * d + j]! || a - b)))
}

/** The rows that go left and those that go right, each in its original order. */
function partition(rows: Int32Array, goesLeft: (row: number) => boolean): [Int32Array, Int32Array] {
  let count = 0
  for (let i = 0; i < rows.length; i++) if (goesLeft(rows[i]!)) count++
  const left = new Int32Array(count)
  const right = new Int32Array(rows.length - count)
  let l = 0
  let r = 0
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    if (goesLeft(row)) left[l++] = row
    else right[r++] = row
  }
  return [left, right]
}

/** One uniform cut per feature in the node's range of it; the best that respects minLeaf. */
function randomSplit(x: Float64Array, d: number, y: ArrayLike<number>, rows: Int32Array, minLeaf: number, rng: Rng): Split | undefined {
  const n = rows.length
  let total = 0
  for (const r of rows) total += y[r]!
  let bestScore = (total * total) / n
  let best: Split | undefined
  for (let j = 0; j < d; j++) {
    let lo = Infinity
    let hi = -Infinity
    for (const r of rows) {
      const v = x[r * d + j]!
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    if (!(hi > lo)) continue
    let threshold = lo + rng.next() * (hi - lo)
    // The cut sends `<= threshold` left; at hi itself the right side would be empty.
    if (threshold >= hi) threshold = lo
    let leftSum = 0
    let nLeft = 0
    for (const r of rows) {
      if (x[r * d + j]! <= threshold) {
        leftSum += y[r]!
        nLeft++
      }
    }
    if (nLeft < minLeaf || n - nLeft < minLeaf) continue
    const rightSum = total - leftSum
    const score = (leftSum * leftSum) / nLeft + (rightSum * rightSum) / (n - nLeft)
    if (score > bestScore + 1e-12 * Math.abs(bestScore)) {
      bestScore = score
      best = { feature: j, threshold }
    }
  }
  return best
}
