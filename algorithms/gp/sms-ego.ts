/**
 * Hypervolume-based acquisition for several objectives, in the manner of SMS-EGO (W. Ponweiser,
 * T. Wagner, D. Biermann, M. Vincze: "Multiobjective Optimization on a Limited Budget of
 * Evaluations Using Model-Assisted S-Metric Selection", PPSN 2008): one GP per objective, and a
 * candidate's score is the hypervolume its optimistic outcome ŷ = μ − κσ (per objective) adds
 * to the front observed so far; a candidate whose ŷ is dominated scores minus how far it is
 * from escaping the domination. Hypervolumes are exact (core/multiobjective/hypervolume.ts), in
 * the objectives normalised to [0, 1] by their observed ranges. The gain is taken against two
 * reference points: a near one just beyond the current front (its worst value plus 10% of its
 * range in each objective), which values filling the front, plus a tenth of the gain against a
 * far one (1.1, beyond every observation), which values extending it. Measured at 100 trials on
 * 4 seeds: the far reference alone crowds the trials onto the front's edges where the true
 * reference is close to the front (DTLZ2: median regret 0.28), the near one alone never extends
 * a front whose ends matter (ZDT1: 4-8, against 0.01-0.09); with a tenth of the far gain added
 * DTLZ2 ends at 0.13-0.15 and ZDT1 at 0.01-0.06 (a hundredth: DTLZ2 0.11-0.17, ZDT1 0.2-2.4).
 *
 * Chosen over expected hypervolume improvement because one hypervolume per candidate (instead
 * of an integral, Monte Carlo in 3-D) keeps an ask at about the cost of ParEGO's, and it
 * targets the front's hypervolume, which a random scalarisation only samples.
 *
 * Deviations: κ is fixed (KAPPA, 0: the gain of the predicted mean; every κ > 0 we measured was
 * worse) where the paper derives it from the remaining budget (a suggester here is never told
 * the budget); the paper has one fixed reference (above); its ε-dominance margin is left out; the
 * GPs model the normalised objectives standardised (no output warping: the score needs the
 * predictions in objective units); the search is screening (Sobol' points, and perturbations
 * and one-coordinate redraws of the front's points, clipped to the box so that its faces are
 * reached) then a few rounds of shrinking random perturbations of the best, without gradients.
 * Constraints: the front is the feasible observations, scores are weighted by the probability
 * of feasibility (constraint-models.ts), and with nothing feasible yet that probability alone is
 * maximised. Points in flight are believed: each GP is conditioned on its mean there and the
 * mean vector joins the front, so a batch spreads along it.
 */
import type { Rng } from '../../core/rng.ts'
import { hypervolume } from '../../core/multiobjective/hypervolume.ts'
import { paretoFront } from '../../core/multiobjective/pareto-front.ts'
import { SOBOL_MAX_DIMENSIONS, sobolPoint } from '../sobol/sobol-sequence.ts'
import type { UnitCube } from '../unit-cube.ts'
import { logFeasibility } from './constraint-models.ts'
import type { ConstraintModel } from './constraint-models.ts'
import { fitHyperparameters } from './fit-hyperparameters.ts'
import { GaussianProcess } from './gaussian-process.ts'
import type { GpHyperparameters } from './gaussian-process.ts'
import { snapToLegal } from './maximize-acquisition.ts'
import { subsampleIndices } from './subsample-history.ts'

/** Optimism of ŷ; measured on DTLZ2 (4 seeds, 100 trials): κ 1, 0.3, 0.1 all worse than 0. */
const KAPPA = 0
/** Where points count at all (normalised units), and the reference's margin beyond the front. */
const REFERENCE = 1.1
const REFERENCE_MARGIN = 0.1
/** Weight of the gain against the far reference (see the header). */
const FAR_WEIGHT = 0.1
const SOBOL_CANDIDATES = 768
const FRONT_SEEDS = 24
const PERTURBATIONS = 10
const REDRAWS = 4
const REFINE_STARTS = 4
const REFINE_ROUNDS = 3
const REFINE_DRAWS = 12

export interface SmsEgoData {
  /** Encoded observations and their objective vectors (minimised). */
  readonly x: readonly Float64Array[]
  readonly vectors: readonly (readonly number[])[]
  readonly feasible: readonly boolean[]
}

export class SmsEgo {
  private readonly gps: GaussianProcess[]
  private readonly scales: { readonly low: number; readonly range: number; readonly mean: number; readonly sd: number }[]
  /** The front in normalised units (feasible observations and believed points). */
  private front: number[][]
  private reference: number[]
  private readonly frontX: Float64Array[]
  readonly hyperparameters: GpHyperparameters[]

  constructor(
    data: SmsEgoData, private readonly cube: UnitCube, rng: Rng, maxModelPoints: number, maxFitPoints: number,
    extraCapacity: number, warm: readonly GpHyperparameters[] | undefined,
    private readonly constraints: readonly ConstraintModel[],
  ) {
    const d = cube.dimensions
    const m = data.vectors[0]!.length
    const kept = subsampleIndices(data.vectors.map((v) => v.reduce((a, b) => a + b, 0)), maxModelPoints, rng)
    const n = kept.length
    const x = new Float64Array(n * d)
    kept.forEach((index, row) => x.set(data.x[index]!, row * d))
    this.scales = []
    this.gps = []
    this.hyperparameters = []
    const normalised: number[][] = data.vectors.map(() => new Array<number>(m))
    for (let j = 0; j < m; j++) {
      const column = data.vectors.map((v) => v[j]!)
      const low = Math.min(...column)
      const range = Math.max(...column) - low || 1
      column.forEach((v, i) => { normalised[i]![j] = (v - low) / range })
      const values = kept.map((i) => normalised[i]![j]!)
      const mean = values.reduce((a, b) => a + b, 0) / n
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n) || 1
      const z = values.map((v) => (v - mean) / sd)
      const fitRows = subsampleIndices(z, maxFitPoints, rng)
      const fitX = new Float64Array(fitRows.length * d)
      fitRows.forEach((row, k) => fitX.set(x.subarray(row * d, (row + 1) * d), k * d))
      const start = warm?.[j]
      const hyper = fitHyperparameters(fitX, fitRows.length, d, fitRows.map((row) => z[row]!), { rng, ...(start ? { warmStart: start } : {}) })
      this.hyperparameters.push(hyper)
      this.gps.push(GaussianProcess.fit(x, n, d, z, hyper, extraCapacity))
      this.scales.push({ low, range, mean, sd })
    }
    const feasibleRows = data.vectors.map((_, i) => i).filter((i) => data.feasible[i])
    const inside = feasibleRows.filter((i) => normalised[i]!.every((v) => v < REFERENCE))
    const frontRows = paretoFront(inside.map((i) => normalised[i]!)).map((k) => inside[k]!)
    this.front = frontRows.map((i) => normalised[i]!)
    this.reference = new Array<number>(m).fill(REFERENCE)
    this.frontX = frontRows.map((i) => data.x[i]!)
    this.feasibilityOnly = constraints.length > 0 && feasibleRows.length === 0
  }

  private readonly feasibilityOnly: boolean
  /** The front's hypervolumes against the near and the far reference, until either changes. */
  private baseline: { near: number; far: number } | undefined

  /** Predicted mean and sd of each objective at x, in normalised units. */
  private predict(x: ArrayLike<number>): { mean: number[]; sd: number[] } {
    const mean: number[] = []
    const sd: number[] = []
    this.gps.forEach((gp, j) => {
      const p = gp.predict(x)
      const s = this.scales[j]!
      mean.push(s.mean + s.sd * p.mean)
      sd.push(s.sd * Math.sqrt(Math.max(p.variance, 0)))
    })
    return { mean, sd }
  }

  /** The score of a candidate (higher is better), see the header. */
  score(x: Float64Array): number {
    const feasibility = this.constraints.length > 0 ? logFeasibility(this.constraints, x) : 0
    if (this.feasibilityOnly) return feasibility
    const { mean, sd } = this.predict(x)
    const optimistic = mean.map((v, j) => v - KAPPA * sd[j]!)
    const reference = this.reference
    let escape = 0
    for (const p of this.front) {
      if (p.every((v, j) => v <= optimistic[j]!)) escape = Math.max(escape, Math.min(...p.map((v, j) => optimistic[j]! - v)))
    }
    const probability = Math.exp(feasibility)
    if (escape > 0 || this.front.some((p) => p.every((v, j) => v === optimistic[j]))) return -escape - (1 - probability)
    const far = optimistic.map(() => REFERENCE)
    this.baseline ??= { near: hypervolume(this.front, reference), far: hypervolume(this.front, far) }
    const gain = hypervolume([...this.front, optimistic], reference) - this.baseline.near
      + FAR_WEIGHT * (hypervolume([...this.front, optimistic], far) - this.baseline.far)
    return gain > 0 ? gain * probability : -(1 - probability)
  }

  /** The near reference, beyond the front as it is now (believed points included). */
  private nearReference(): void {
    this.baseline = undefined
    const m = this.reference.length
    if (this.front.length < 2) {
      this.reference = new Array<number>(m).fill(REFERENCE)
      return
    }
    const margin = REFERENCE_MARGIN
    this.reference = Array.from({ length: m }, (_, j) => {
      const column = this.front.map((p) => p[j]!)
      const high = Math.max(...column)
      return high + margin * Math.max(high - Math.min(...column), 1e-3)
    })
  }

  /** Candidates, best first: screening, then shrinking perturbations of the best few. */
  rank(rng: Rng): Float64Array[] {
    this.nearReference()
    const d = this.cube.dimensions
    const candidates: Float64Array[] = []
    const shift = d <= SOBOL_MAX_DIMENSIONS ? Array.from({ length: d }, () => rng.int(2 ** 32)) : undefined
    const raw = new Float64Array(d)
    for (let c = 0; c < SOBOL_CANDIDATES; c++) {
      if (shift) raw.set(sobolPoint(c, d, shift))
      else for (let j = 0; j < d; j++) raw[j] = rng.next()
      candidates.push(snapToLegal(this.cube, raw))
    }
    const seeds = this.frontX.length > FRONT_SEEDS ? Array.from({ length: FRONT_SEEDS }, () => this.frontX[rng.int(this.frontX.length)]!) : this.frontX
    for (const seed of seeds) {
      for (let p = 0; p < PERTURBATIONS; p++) candidates.push(perturb(this.cube, seed, p % 2 === 0 ? 0.1 : 0.02, rng))
      for (let p = 0; p < REDRAWS; p++) {
        raw.set(seed)
        raw[rng.int(d)] = rng.next()
        candidates.push(snapToLegal(this.cube, raw))
      }
    }
    const scored = candidates.map((x) => ({ x, value: this.score(x) })).sort((a, b) => b.value - a.value)
    const refined = scored.slice(0, REFINE_STARTS).map((start) => {
      let best = start
      let scale = 0.05
      for (let round = 0; round < REFINE_ROUNDS; round++, scale /= 3) {
        for (let k = 0; k < REFINE_DRAWS; k++) {
          const x = perturb(this.cube, best.x, scale, rng)
          const value = this.score(x)
          if (value > best.value) best = { x, value }
        }
      }
      return best
    })
    return [...refined, ...scored].sort((a, b) => b.value - a.value).map((c) => c.x)
  }

  /** A point in flight: each GP believes its mean there, and the mean vector joins the front. */
  believe(x: Float64Array): void {
    const { mean } = this.predict(x)
    this.gps.forEach((gp, j) => {
      const s = this.scales[j]!
      gp.condition(x, (mean[j]! - s.mean) / s.sd)
    })
    if (mean.every((v) => v < REFERENCE) && !this.front.some((p) => p.every((v, j) => v <= mean[j]!))) {
      const keep = this.front.map((p, i) => i).filter((i) => !mean.every((v, j) => v <= this.front[i]![j]!))
      this.front = [...keep.map((i) => this.front[i]!), mean]
      this.baseline = undefined
    }
  }
}

function perturb(cube: UnitCube, x: Float64Array, scale: number, rng: Rng): Float64Array {
  const raw = new Float64Array(x.length)
  for (let j = 0; j < x.length; j++) raw[j] = Math.min(1, Math.max(0, x[j]! + scale * rng.normal()))
  return snapToLegal(cube, raw)
}
