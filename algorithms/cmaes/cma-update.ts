/**
 * One generation's update of a CMA-ES run: Hansen, "The CMA Evolution Strategy: A Tutorial"
 * (arXiv:1604.00772, 2016), equations (39)–(47) with active CMA's negative weights, c_m = 1;
 * the original method is Hansen & Ostermeier, "Completely Derandomized Self-Adaptation in
 * Evolution Strategies" (ECJ 2001).
 *
 * Deviations, all from pycma:
 * - the log step-size change per generation is capped at 1 (σ grows at most e-fold), which
 *   guards against a huge ‖p_σ‖ after a lucky step;
 * - flat fitness (the best and the ⌈0.1 + λ/4⌉-th best value equal, common when ints round
 *   samples to the same point) multiplies σ by exp(0.2 + c_σ/d_σ) so the search spreads out
 *   instead of drifting;
 * - steps are taken in the unscaled coordinates of the margin (`integer-margin.ts`): the mean
 *   moves by σ·a ⊙ y_w, C and the paths learn from y.
 * Steps of injected points (trials of an earlier generation, see `cmaes-suggester.ts`) arrive
 * with their Mahalanobis length already capped, as Hansen, "Injecting External Solutions Into
 * CMA-ES" (arXiv:1110.4181, 2011) prescribes.
 */
import type { CmaParameters } from './cma-parameters.ts'
import type { CmaSampler, CmaStep } from './cma-sampler.ts'
import type { CmaRun } from './cma-state.ts'

export interface RankedStep extends CmaStep {
  /** Minimisation-signed value; Infinity for a failed trial. */
  readonly value: number
}

/**
 * The run after a generation: `steps` holds λ steps from the mean, best first (`sampler` is the
 * generation's, for B and the margin scaling). `historyLength` bounds `recentBest`.
 */
export function updateRun(run: CmaRun, p: CmaParameters, sampler: CmaSampler, steps: readonly RankedStep[], historyLength: number): CmaRun {
  const d = run.mean.length

  // Weighted mean of the best μ steps, in y (C-shaped) and z (whitened) coordinates.
  const yw = new Float64Array(d)
  const zw = new Float64Array(d)
  for (let k = 0; k < p.mu; k++) {
    const w = p.weights[k]!
    const { y, z } = steps[k]!
    for (let i = 0; i < d; i++) {
      yw[i]! += w * y[i]!
      zw[i]! += w * z[i]!
    }
  }
  const mean = run.mean.map((m, i) => m + run.sigma * sampler.scale[i]! * yw[i]!)

  // p_σ ← (1 − c_σ)·p_σ + √(c_σ(2 − c_σ)μ_eff)·C^(-1/2)·y_w, with C^(-1/2)·y_w = B·z_w.
  const whitened = sampler.rotate(zw)
  const psFactor = Math.sqrt(p.cs * (2 - p.cs) * p.mueff)
  const ps = run.ps.map((v, i) => (1 - p.cs) * v + psFactor * whitened[i]!)
  const psNorm = Math.hypot(...ps)
  const hsig = psNorm / Math.sqrt(1 - (1 - p.cs) ** (2 * (run.generation + 1))) < (1.4 + 2 / (d + 1)) * p.chiN ? 1 : 0
  const pcFactor = hsig * Math.sqrt(p.cc * (2 - p.cc) * p.mueff)
  const pc = run.pc.map((v, i) => (1 - p.cc) * v + pcFactor * yw[i]!)

  // C ← (1 + c1·δ(h_σ) − c1 − c_μ·Σw)·C + c1·p_c·p_cᵀ + c_μ·Σ w°_k·y_k·y_kᵀ, where negative
  // weights are rescaled by n/‖C^(-1/2)·y_k‖² = n/‖z_k‖² so long bad steps cannot make C indefinite.
  const sumWeights = p.weights.reduce((a, b) => a + b, 0)
  const delta = (1 - hsig) * p.cc * (2 - p.cc)
  const decay = 1 + p.c1 * delta - p.c1 - p.cmu * sumWeights
  const rankWeights = steps.map((s, k) => {
    const w = p.weights[k] ?? 0
    if (w >= 0) return w
    const zz = s.z.reduce((a, b) => a + b * b, 0)
    return zz > 0 ? (w * d) / zz : 0
  })
  const cov: number[][] = []
  for (let i = 0; i < d; i++) {
    const row = new Array<number>(d)
    for (let j = 0; j <= i; j++) {
      let rankMu = 0
      for (let k = 0; k < steps.length; k++) {
        const w = rankWeights[k]!
        if (w !== 0) rankMu += w * steps[k]!.y[i]! * steps[k]!.y[j]!
      }
      row[j] = decay * run.cov[i]![j]! + p.c1 * pc[i]! * pc[j]! + p.cmu * rankMu
    }
    cov.push(row)
  }
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) cov[i]![j] = cov[j]![i]!

  // σ ← σ·exp((c_σ/d_σ)(‖p_σ‖/E‖N(0, I)‖ − 1)), the exponent capped at 1.
  let logStep = Math.min(1, (p.cs / p.ds) * (psNorm / p.chiN - 1))
  const values = steps.map((r) => r.value)
  const flatIndex = Math.min(values.length - 1, Math.ceil(0.1 + p.popsize / 4))
  if (values[0] === values[flatIndex]) logStep += 0.2 + p.cs / p.ds
  const sigma = run.sigma * Math.exp(logStep)

  const generationBest = values[0]!
  const improved = Number.isFinite(generationBest) && (run.best === null || generationBest < run.best)
  const recentBest = Number.isFinite(generationBest) ? [...run.recentBest, generationBest].slice(-historyLength) : run.recentBest
  return {
    ...run,
    mean,
    sigma,
    cov,
    pc,
    ps,
    generation: run.generation + 1,
    best: improved ? generationBest : run.best,
    bestGeneration: improved ? run.generation + 1 : run.bestGeneration,
    recentBest,
  }
}
