import type { Weights } from './controller-layout.ts'

/**
 * The controller's LSTM cell, as Katib's `_lstm` (no biases, one weight matrix over the input
 * and the previous hidden state, gates split i, f, o, g), forward and backward by hand on flat
 * arrays. Everything a backward pass needs is kept in the returned step.
 *
 * Plain loops rather than ml-matrix: its `mmul` allocates a matrix per product and took about
 * three times as long as this loop for the cell's 1×128 by 128×256 product (Katib's hidden size
 * 64), which runs 2 × layers × controller_train_steps times per trial learned.
 */

/** One application of the cell: its inputs and every activation backward needs. */
export interface LstmStep {
  readonly x: Float64Array
  readonly hPrev: Float64Array
  readonly cPrev: Float64Array
  readonly i: Float64Array
  readonly f: Float64Array
  readonly o: Float64Array
  readonly g: Float64Array
  readonly c: Float64Array
  readonly tanhC: Float64Array
  readonly h: Float64Array
}

/**
 * `x` is read from `xOffset` on for `hidden` values (an embedding row can be read in place).
 * `w` holds the 2H × 4H matrix from `wOffset`.
 */
export function lstmForward(
  w: Weights, wOffset: number, hidden: number,
  x: ArrayLike<number>, xOffset: number, hPrev: Float64Array, cPrev: Float64Array,
): LstmStep {
  const width = 4 * hidden
  const input = new Float64Array(hidden)
  for (let k = 0; k < hidden; k++) input[k] = x[xOffset + k]!
  const z = new Float64Array(width)
  const stacked = new Float64Array(2 * hidden)
  stacked.set(input)
  stacked.set(hPrev, hidden)
  // Two rows per pass over z: half the loads and stores of z.
  let k = 0
  for (; k + 1 < 2 * hidden; k += 2) {
    const a = stacked[k]!
    const b = stacked[k + 1]!
    const rowA = wOffset + k * width
    const rowB = rowA + width
    for (let j = 0; j < width; j++) z[j]! += a * w[rowA + j]! + b * w[rowB + j]!
  }
  for (; k < 2 * hidden; k++) {
    const a = stacked[k]!
    const row = wOffset + k * width
    for (let j = 0; j < width; j++) z[j]! += a * w[row + j]!
  }
  const i = new Float64Array(hidden)
  const f = new Float64Array(hidden)
  const o = new Float64Array(hidden)
  const g = new Float64Array(hidden)
  const c = new Float64Array(hidden)
  const tanhC = new Float64Array(hidden)
  const h = new Float64Array(hidden)
  for (let k = 0; k < hidden; k++) {
    i[k] = sigmoid(z[k]!)
    f[k] = sigmoid(z[hidden + k]!)
    o[k] = sigmoid(z[2 * hidden + k]!)
    g[k] = Math.tanh(z[3 * hidden + k]!)
    c[k] = i[k]! * g[k]! + f[k]! * cPrev[k]!
    tanhC[k] = Math.tanh(c[k]!)
    h[k] = o[k]! * tanhC[k]!
  }
  return { x: input, hPrev, cPrev, i, f, o, g, c, tanhC, h }
}

/**
 * Backpropagates `dh` and `dc` (gradients of the step's outputs; `dc` is not modified) through
 * `step`: adds the weight gradient into `grad` (same layout as `w`) and returns the gradients
 * of the input and of the previous state.
 */
export function lstmBackward(
  w: Weights, grad: Float64Array, wOffset: number, hidden: number,
  step: LstmStep, dh: Float64Array, dc: Float64Array,
): { dx: Float64Array; dhPrev: Float64Array; dcPrev: Float64Array } {
  const width = 4 * hidden
  const dz = new Float64Array(width)
  const dcPrev = new Float64Array(hidden)
  for (let k = 0; k < hidden; k++) {
    const i = step.i[k]!
    const f = step.f[k]!
    const o = step.o[k]!
    const g = step.g[k]!
    const t = step.tanhC[k]!
    const dcTotal = dc[k]! + dh[k]! * o * (1 - t * t)
    dz[k] = dcTotal * g * i * (1 - i)
    dz[hidden + k] = dcTotal * step.cPrev[k]! * f * (1 - f)
    dz[2 * hidden + k] = dh[k]! * t * o * (1 - o)
    dz[3 * hidden + k] = dcTotal * i * (1 - g * g)
    dcPrev[k] = dcTotal * f
  }
  const dx = new Float64Array(hidden)
  const dhPrev = new Float64Array(hidden)
  for (let k = 0; k < 2 * hidden; k++) {
    const input = k < hidden ? step.x[k]! : step.hPrev[k - hidden]!
    const row = wOffset + k * width
    // Four partial sums (width is a multiple of 4) let the multiplies overlap.
    let acc0 = 0
    let acc1 = 0
    let acc2 = 0
    let acc3 = 0
    for (let j = 0; j < width; j += 4) {
      const d0 = dz[j]!
      const d1 = dz[j + 1]!
      const d2 = dz[j + 2]!
      const d3 = dz[j + 3]!
      acc0 += w[row + j]! * d0
      acc1 += w[row + j + 1]! * d1
      acc2 += w[row + j + 2]! * d2
      acc3 += w[row + j + 3]! * d3
      if (input !== 0) {
        grad[row + j]! += input * d0
        grad[row + j + 1]! += input * d1
        grad[row + j + 2]! += input * d2
        grad[row + j + 3]! += input * d3
      }
    }
    const acc = acc0 + acc1 + acc2 + acc3
    if (k < hidden) dx[k] = acc
    else dhPrev[k - hidden] = acc
  }
  return { dx, dhPrev, dcPrev }
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))
}
