/**
 * Katib's `bayesianoptimization` with `base_estimator` RF, ET or GBRT: scikit-optimize's
 * `Optimizer` with a tree surrogate instead of a GP. Trees as the model of sequential
 * model-based optimisation are SMAC's (Hutter, Hoos & Leyton-Brown, "Sequential Model-Based
 * Optimization for General Algorithm Configuration", LION 2011); the surrogates are random
 * forests (Breiman 2001), extremely randomised trees (Geurts, Ernst & Wehenkel 2006) and
 * gradient-boosted quantile trees (Friedman 2001): tree-forest.ts, quantile-boosting.ts.
 *
 * As skopt does with a non-GP estimator:
 * - the initial design is the GP's (the first `n_initial_points` trials, and anything asked
 *   before two trials have succeeded);
 * - after it, every suggestion refits the surrogate on the succeeded trials and maximises the
 *   acquisition (EI, LCB, PI, or the gp_hedge portfolio; acquisition.ts and gp-hedge.ts, shared
 *   with the GP) over random candidates only (skopt's `acq_optimizer="sampling"`): a tree's
 *   mean is piecewise constant, so there is no gradient to climb. skopt refuses
 *   `acq_optimizer="lbfgs"` with a tree; the definition refuses it at creation;
 * - points in flight (Pending and Running trials, earlier points of the same batch) are
 *   "constant liars" at the best value seen (skopt's `ask(n_points)` default `cl_min`): the
 *   surrogate is refitted with them, which pushes the next point away from them.
 *
 * Deviations from skopt, and why:
 * - Candidates: a scrambled Sobol' set of CANDIDATES points, fresh for each suggestion (skopt:
 *   10,000 independent uniform draws), for 40% of the prediction cost. We also tried adding
 *   Gaussian perturbations of the five best observations, as the GP's screening does (with the
 *   objective warped, see below); over 6
 *   seeds at 50 trials on branin, hartmann6, levy and mixed_nn_like (docs/benchmarks.md, "Tree
 *   surrogates") they made ET worse on three of the four (median regret 0.20 against 0.06 on
 *   branin, 0.96 against 0.51 on hartmann6) and RF no better, so the candidates are sampled only.
 * - Objectives are standardised (mean 0, standard deviation 1; the trees' splits do not change)
 *   so that ξ = 0.01 means the same whatever the objective's scale, and gp_hedge's gains are in
 *   the same units as the GP's. They are not warped as the GP's are (output-transform.ts): with
 *   the warp, median regret at 50 trials (docs/benchmarks.md, "Tree surrogates") was worse for
 *   RF on three of the four problems (0.412 against 0.149 on branin) and for GBRT on three (1.39
 *   against 0.475 on hartmann6), better for ET on three (0.062 against 0.539 on branin): no
 *   clear gain, so the trees see the objective as skopt's do.
 * - Pending and Running trials are liars too (Katib's service only tells skopt finished trials,
 *   so parallel asks from it may land on points already running), and tried parameter sets are
 *   never suggested again (as with the GP).
 * - Each surrogate keeps at most MAX_MODEL_POINTS observations (subsample-history.ts), so a long
 *   experiment's refit stays bounded.
 *
 * Seeding: the i-th suggestion of a call fits its model and draws its candidates from its own
 * trial's stream (`rngForSuggestion`), so the same request gives the same suggestions, and the
 * first point of a batch is the one a one-trial ask gets.
 */
import type { Rng } from '../../core/rng.ts'
import type { Params } from '../../core/search-space.ts'
import { paramsKey } from '../params-key.ts'
import { rngForSuggestion } from '../rng-for-suggestion.ts'
import { SOBOL_MAX_DIMENSIONS, sobolPoint } from '../sobol/sobol-sequence.ts'
import type { SuggestRequest, SuggestResult, Suggester } from '../suggester.ts'
import { createUnitCube } from '../unit-cube.ts'
import type { UnitCube } from '../unit-cube.ts'
import { DEFAULT_KAPPA, DEFAULT_XI, acquisition } from '../gp/acquisition.ts'
import type { AcquisitionValue } from '../gp/acquisition.ts'
import { HEDGE_PORTFOLIO, pickHedge } from '../gp/gp-hedge.ts'
import { collect, firstUnused, initialDesign, randomUnused, readState } from '../gp/gp-suggester.ts'
import type { GpAcquisition, GpState, Observations } from '../gp/gp-suggester.ts'
import { snapToLegal } from '../gp/maximize-acquisition.ts'
import { standardise } from '../gp/output-transform.ts'
import { subsampleIndices } from '../gp/subsample-history.ts'
import { fitTreeSurrogate } from './fit-tree-surrogate.ts'
import type { TreeEstimator, TreeSurrogate } from './fit-tree-surrogate.ts'

export interface TreeSuggesterOptions {
  readonly estimator: TreeEstimator
  /** Trials taken from the initial design before the model is used (skopt's n_initial_points). */
  readonly initialPoints: number
  readonly acquisition: GpAcquisition
}

/** Sobol' candidates per suggestion (see the header). */
export const CANDIDATES = 4096
export const MAX_MODEL_POINTS = 1000

interface Model {
  readonly surrogate: TreeSurrogate
  /** f*, the best transformed value, lies included. */
  readonly best: number
}

export class TreeSuggester implements Suggester {
  constructor(private readonly options: TreeSuggesterOptions) {}

  suggest(request: SuggestRequest): SuggestResult {
    const { space, rng } = request
    const cube = createUnitCube(space)
    const previous = readState(request.state, cube.dimensions)
    const scrambleSeed = previous?.scrambleSeed ?? rng.int(2 ** 32)
    // A warm start's points too (collect reads them as observations, as the GP does).
    const used = new Set([...request.priorTrials ?? [], ...request.trials].map((t) => paramsKey(space, t.params)))
    const data = collect(request, cube)
    const suggestions: Params[] = []
    const inFlight: Float64Array[] = [...data.pending]

    initialDesign(request, cube, scrambleSeed, used, this.options.initialPoints, data.y.length, suggestions, inFlight)
    if (suggestions.length === request.count) {
      return { suggestions, state: { ...previous, scrambleSeed } satisfies GpState }
    }

    const hedge = this.options.acquisition === 'gp_hedge'
    const portfolio = hedge ? HEDGE_PORTFOLIO : [this.options.acquisition]
    let gains: number[] | undefined
    let proposals: number[][] | undefined
    const scratch: AcquisitionValue = { value: 0, dMean: 0, dSd: 0 }

    while (suggestions.length < request.count) {
      const own = rngForSuggestion(request, suggestions.length)
      const model = this.fitModel(data, inFlight, cube.dimensions, own)
      if (hedge && gains === undefined) gains = updatedGains(previous, model.surrogate, data.y.length)
      const candidates = candidateSet(cube, own)
      const m = candidates.length / cube.dimensions
      const means = new Float64Array(m)
      const sds = new Float64Array(m)
      const prediction = { mean: 0, sd: 0 }
      for (let c = 0; c < m; c++) {
        model.surrogate.predict(candidates, c * cube.dimensions, prediction)
        means[c] = prediction.mean
        sds[c] = prediction.sd
      }
      const settings = { best: model.best, xi: DEFAULT_XI, kappa: DEFAULT_KAPPA }
      const ranked = portfolio.map((name) => {
        const values = new Float64Array(m)
        for (let c = 0; c < m; c++) values[c] = acquisition(name, means[c]!, sds[c]!, settings, scratch).value
        return Array.from({ length: m }, (_, c) => c).sort((a, b) => values[b]! - values[a]! || a - b)
      })
      const row = (c: number): Float64Array => candidates.slice(c * cube.dimensions, (c + 1) * cube.dimensions)
      if (hedge && proposals === undefined) proposals = ranked.map((order) => Array.from(row(order[0]!)))
      const choice = gains ? pickHedge(gains, own) : 0
      const order = ranked[choice]!
      // Decoding stops at the first untried point; the rows are made lazily for that reason.
      const lazyRows: Float64Array[] = []
      let params: Params | undefined
      for (let start = 0; start < m && params === undefined; start += 64) {
        lazyRows.length = 0
        for (let k = start; k < Math.min(m, start + 64); k++) lazyRows.push(row(order[k]!))
        params = firstUnused(space, cube, lazyRows, used)
      }
      params ??= randomUnused(space, own, used)
      used.add(paramsKey(space, params))
      suggestions.push(params)
      const x = cube.encode(params)
      if (x) inFlight.push(x)
    }

    const state: GpState = {
      scrambleSeed,
      ...(gains ? { gains, proposals: proposals ?? [], observed: data.y.length } : {}),
    }
    return { suggestions, state: JSON.parse(JSON.stringify(state)) as GpState }
  }

  /** The surrogate on the succeeded trials plus every in-flight point lying at the best value. */
  private fitModel(data: Observations, inFlight: readonly Float64Array[], d: number, rng: Rng): Model {
    const kept = subsampleIndices(data.y, MAX_MODEL_POINTS, rng)
    // Not Math.min(...y): a long experiment's history would overflow the argument list.
    const lie = data.y.reduce((a, b) => Math.min(a, b), Infinity)
    const n = kept.length + inFlight.length
    const x = new Float64Array(n * d)
    const y: number[] = []
    kept.forEach((index, row) => {
      x.set(data.x[index]!, row * d)
      y.push(data.y[index]!)
    })
    inFlight.forEach((point, k) => {
      x.set(point, (kept.length + k) * d)
      y.push(lie)
    })
    const z = standardise(Float64Array.from(y))
    let best = Infinity
    for (const v of z) best = Math.min(best, v)
    return { surrogate: fitTreeSurrogate(this.options.estimator, x, n, d, z, rng), best }
  }
}

/** CANDIDATES scrambled Sobol' points snapped to legal points, row by row. */
function candidateSet(cube: UnitCube, rng: Rng): Float64Array {
  const d = cube.dimensions
  const out = new Float64Array(CANDIDATES * d)
  const raw = new Float64Array(d)
  const shift = d <= SOBOL_MAX_DIMENSIONS ? Array.from({ length: d }, () => rng.int(2 ** 32)) : undefined
  for (let c = 0; c < CANDIDATES; c++) {
    if (shift) raw.set(sobolPoint(c, d, shift))
    else for (let j = 0; j < d; j++) raw[j] = rng.next()
    out.set(snapToLegal(cube, raw), c * d)
  }
  return out
}

/** gp_hedge's gains, credited with −μ at last call's proposals once new data arrived (gp-hedge.ts). */
function updatedGains(previous: GpState | undefined, surrogate: TreeSurrogate, observed: number): number[] {
  const gains = previous?.gains?.length === HEDGE_PORTFOLIO.length ? [...previous.gains] : HEDGE_PORTFOLIO.map(() => 0)
  const proposals = previous?.proposals
  if (proposals?.length === gains.length && observed > (previous?.observed ?? Infinity)) {
    proposals.forEach((x, i) => { gains[i]! -= surrogate.predict(x).mean })
  }
  return gains
}
