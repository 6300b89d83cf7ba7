/**
 * Adam (Kingma & Ba 2015) as TensorFlow 1's AdamOptimizer applies it, which Katib's controller
 * uses with its defaults (β1 0.9, β2 0.999, ε 1e-8): the bias correction is folded into the
 * step size, lr·√(1-β2^t)/(1-β1^t), and ε is added to √v̂ before that correction.
 *
 * The weights and both moments are float32, as TensorFlow keeps them; each update computes in
 * float64 and rounds once when it stores, so a saved state resumes bit for bit.
 */
export const ADAM_BETA1 = 0.9
export const ADAM_BETA2 = 0.999
export const ADAM_EPSILON = 1e-8

export interface AdamMoments {
  readonly m: Float32Array
  readonly v: Float32Array
  /** Updates applied so far (TensorFlow's global step). */
  step: number
}

export function adamMoments(size: number): AdamMoments {
  return { m: new Float32Array(size), v: new Float32Array(size), step: 0 }
}

/** Applies one update; returns the gradient's squared norm (for the training log). */
export function adamUpdate(weights: Float32Array, grad: Float64Array, moments: AdamMoments, learningRate: number): number {
  moments.step++
  const t = moments.step
  const rate = learningRate * Math.sqrt(1 - ADAM_BETA2 ** t) / (1 - ADAM_BETA1 ** t)
  const { m, v } = moments
  let squares = 0
  for (let k = 0; k < weights.length; k++) {
    const g = grad[k]!
    squares += g * g
    const mk = ADAM_BETA1 * m[k]! + (1 - ADAM_BETA1) * g
    const vk = ADAM_BETA2 * v[k]! + (1 - ADAM_BETA2) * g * g
    m[k] = mk
    v[k] = vk
    weights[k] = weights[k]! - rate * mk / (Math.sqrt(vk) + ADAM_EPSILON)
  }
  return squares
}
