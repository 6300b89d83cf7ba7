import type { Rng } from '../../../core/rng.ts'

/**
 * Where each weight of the ENAS controller sits in its one flat parameter vector (row-major
 * blocks), so that Adam, the gradient and the saved state treat all weights as one array. The
 * blocks are those of Katib's Controller.py, with H the hidden size and K the number of
 * operations:
 *
 * - `wLstm` (2H × 4H): the LSTM cell; rows are [input, previous h], columns the gates i, f, o, g.
 * - `gEmb` (H): the input of the first layer's step, and of layer 1 after layer 0.
 * - `wEmb` (K × H): the embedding of the operation just chosen, the input of the next step.
 * - `wSoft` (H × K): hidden state to operation logits.
 * - `attnW1`, `attnW2` (H × H), `attnV` (H): the attention over earlier layers that scores skips.
 */
/**
 * The weights: float32 as the controller keeps them (see initialWeights); the gradient check
 * reads float64 ones, where finite differences are exact enough to compare.
 */
export type Weights = Float32Array | Float64Array

export interface ControllerLayout {
  readonly hidden: number
  readonly numLayers: number
  readonly numOperations: number
  readonly wLstm: number
  readonly gEmb: number
  readonly wEmb: number
  readonly wSoft: number
  readonly attnW1: number
  readonly attnW2: number
  readonly attnV: number
  /** Total number of weights. */
  readonly size: number
}

export function controllerLayout(hidden: number, numLayers: number, numOperations: number): ControllerLayout {
  const wLstm = 0
  const gEmb = wLstm + 8 * hidden * hidden
  const wEmb = gEmb + hidden
  const wSoft = wEmb + numOperations * hidden
  const attnW1 = wSoft + hidden * numOperations
  const attnW2 = attnW1 + hidden * hidden
  const attnV = attnW2 + hidden * hidden
  const size = attnV + hidden
  return { hidden, numLayers, numOperations, wLstm, gEmb, wEmb, wSoft, attnW1, attnW2, attnV, size }
}

/**
 * Katib's initialiser: every weight uniform in [-0.01, 0.01]. Weights are kept as float32, as
 * TensorFlow keeps them, which also halves the saved state and makes it exact to save.
 */
export function initialWeights(layout: ControllerLayout, rng: Rng): Float32Array {
  const weights = new Float32Array(layout.size)
  for (let i = 0; i < weights.length; i++) weights[i] = (rng.next() * 2 - 1) * 0.01
  return weights
}
