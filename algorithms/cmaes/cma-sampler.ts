/**
 * The samples of one generation: x_k = m + σ·a ⊙ (B·D·z_k), z_k ~ N(0, I), drawn in order from
 * the generation's seeded stream, so sample k is the same in every call that rebuilds it from
 * the state (only the seed and the count drawn are stored, not the vectors). a is the margin
 * scaling of `integer-margin.ts`; B·D from the eigendecomposition C = B·D²·Bᵀ.
 *
 * Bounds: a draw outside the unit box is rejected and drawn again, up to 100 times; if all fail
 * the last one is clipped to the box and its y and z recomputed from the clipped point, so the
 * update learns the step actually evaluated. This is what Optuna's `cmaes` package does. The
 * mean, a positive combination of samples, then stays in the box too.
 *
 * We also tried reflecting out-of-box draws at the bounds (pycma's BoundTransform in spirit,
 * the update on the unreflected genotype). On the hpo-anchor-v1 problems at 200 trials (median
 * regret, seeds 0–19 then 20–39) rejection was better on hartmann6 (0.027 vs 0.066, 0.031 vs
 * 0.089), styblinski_tang (58 vs 67, 53 vs 70) and mixed_nn_like (0.10 vs 0.11, 0.13 vs 0.16),
 * and about even on the rest. Reflection was better (about 2× lower regret) on made-up 5-D
 * problems whose optimum lies on a bound, where truncated steps make σ shrink early; we chose
 * the suite's evidence.
 */
import { createRng } from '../../core/rng.ts'
import type { Rng } from '../../core/rng.ts'
import type { CmaRun } from './cma-state.ts'
import { symmetricEigen } from './eigen.ts'
import type { SymmetricEigen } from './eigen.ts'

/** A step from the mean, as the update uses it. */
export interface CmaStep {
  /** z = D⁻¹·Bᵀ·y (~ N(0, I) for a sample); ‖z‖ is the Mahalanobis length of y, C^(-1/2)·y = B·z. */
  readonly z: Float64Array
  /** y = B·D·z, the step in units of σ before the margin scaling. */
  readonly y: Float64Array
}

export interface CmaSample extends CmaStep {
  /** The point m + σ·a ⊙ y, inside the unit box. */
  readonly x: Float64Array
}

export interface CmaSampler {
  readonly eigen: SymmetricEigen
  /** √ of the eigenvalues, clamped at 0. */
  readonly axisLengths: Float64Array
  /** The margin scaling a (≥ 1) per coordinate. */
  readonly scale: Float64Array
  /** Sample k of the generation (k ≥ 0). */
  sample(k: number): CmaSample
  /** B·v. */
  rotate(v: ArrayLike<number>): Float64Array
  /** The step that leads from the mean to the point x, its Mahalanobis length capped at `maxLength`. */
  stepTo(x: ArrayLike<number>, maxLength?: number): CmaStep
}

/** Draws per sample before clipping; Optuna's `cmaes` uses the same number. */
const MAX_DRAWS = 100

function insideBox(x: Float64Array): boolean {
  return x.every((v) => v >= 0 && v <= 1)
}

export function createCmaSampler(run: CmaRun, floors: ArrayLike<number>, seed: readonly number[]): CmaSampler {
  const d = run.mean.length
  const eigen = symmetricEigen(run.cov)
  const axisLengths = Float64Array.from(eigen.values, (v) => Math.sqrt(Math.max(v, 0)))
  const scale = new Float64Array(d)
  for (let i = 0; i < d; i++) {
    const std = run.sigma * Math.sqrt(run.cov[i]![i]!)
    scale[i] = std > 0 && std < floors[i]! ? floors[i]! / std : 1
  }
  const rotate = (v: ArrayLike<number>): Float64Array => {
    const out = new Float64Array(d)
    for (let i = 0; i < d; i++) {
      const row = eigen.vectors[i]!
      let s = 0
      for (let j = 0; j < d; j++) s += row[j]! * v[j]!
      out[i] = s
    }
    return out
  }
  const rng: Rng = createRng(seed)
  const samples: CmaSample[] = []
  const drawOnce = (): CmaSample => {
    const z = new Float64Array(d)
    for (let i = 0; i < d; i++) z[i] = rng.normal()
    const y = rotate(z.map((zi, j) => zi * axisLengths[j]!))
    const x = new Float64Array(d)
    for (let i = 0; i < d; i++) x[i] = run.mean[i]! + run.sigma * scale[i]! * y[i]!
    return { z, y, x }
  }
  const draw = (): CmaSample => {
    let last = drawOnce()
    for (let tries = 1; tries < MAX_DRAWS && !insideBox(last.x); tries++) last = drawOnce()
    if (insideBox(last.x)) return last
    const x = last.x.map((v) => Math.min(Math.max(v, 0), 1))
    return { ...stepTo(x), x }
  }
  const stepTo = (x: ArrayLike<number>, maxLength = Infinity): CmaStep => {
    const y = new Float64Array(d)
    for (let i = 0; i < d; i++) y[i] = (x[i]! - run.mean[i]!) / (run.sigma * scale[i]!)
    const z = new Float64Array(d)
    for (let j = 0; j < d; j++) {
      let s = 0
      for (let i = 0; i < d; i++) s += eigen.vectors[i]![j]! * y[i]!
      z[j] = axisLengths[j]! > 0 ? s / axisLengths[j]! : 0
    }
    const length = Math.hypot(...z)
    if (!(length > maxLength)) return { z, y }
    const shrink = maxLength / length
    return { z: z.map((v) => v * shrink), y: y.map((v) => v * shrink) }
  }
  return {
    eigen,
    axisLengths,
    scale,
    rotate,
    stepTo,
    sample(k) {
      while (samples.length <= k) samples.push(draw())
      return samples[k]!
    },
  }
}
