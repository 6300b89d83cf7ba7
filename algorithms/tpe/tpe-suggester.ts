/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011, "Algorithms for Hyper-Parameter
 * Optimization"), multivariate by default (Falkner et al. 2018, BOHB; Optuna's
 * `multivariate=True`), with the component choices Watanabe 2023 ("Tree-structured Parzen
 * estimator: understanding its algorithm components and their roles for better empirical
 * performance") recommends and Optuna 5 uses: split by γ(n), model the good trials with
 * l(x) and the rest with g(x), draw candidates from l and keep the one maximising l(x)/g(x).
 *
 * Several objectives (issue 19) follow MOTPE (Ozaki, Tanigaki, Watanabe, Nomura, Onishi:
 * "Multiobjective tree-structured Parzen estimator", JAIR 2022) as Optuna 5 runs it: the good
 * group is whole non-dominated fronts, best first, and from the front that straddles γ(n) the
 * greedy hypervolume subset (`hypervolume-subset.ts`); its kernels are weighted by their
 * hypervolume contribution instead of recency. Constraints follow Optuna's feasibility split
 * (c-TPE's simpler cousin, Watanabe & Hutter 2023): a trial breaking one ranks after every
 * feasible and early-stopped trial, by its total violation, so it is good only while too few
 * trials keep them all. With one objective and no broken constraint nothing changes.
 *
 * Three deviations from Optuna's MOTPE apply with several objectives only. Measured as median
 * hypervolume regret at 100 trials on bench:multiobjective's zdt1 / zdt2 / dtlz2, seeds 0-9
 * (Optuna 5's MOTPE: 20.5 / 27.7 / 0.434; ours without them: 15.4 / 26.3 / 0.365, and
 * 7.99 / 15.3 / 0.169 at 200 trials; with all three: 5.63 / 11.2 / 0.187, and 0.657 / 10.3 /
 * 0.098):
 * - Censored kernels (`ParzenOptions.censored`): a draw past a bound lands on it, so the search
 *   reaches optima on the bounds exactly; the ends of a Pareto front often lie there (the
 *   smallest possible latency, a zero weight decay). Alone: 9.7 / 17.2 / 0.239 (the same
 *   problems, 20 other seeds, on which neither gives 17.3 / 26.4 / 0.384).
 * - The joint model's bandwidth floor is 2.5·range/min(100, N + 2), not 1.5·: wider kernels
 *   put more of their draws past a bound, so censoring reaches bounds more often, while a front
 *   still needs its spread. Factors measured on those 20 seeds (with the prior weight at 0.5,
 *   which we tried and left out: on seeds 0-9 it gains on zdt1, 2.44, and loses on dtlz2,
 *   0.227): 1.5 6.5 / 15.3 / 0.215, 2 6.2 / 12.5 / 0.228, 2.5 3.6 / 11.2 /
 *   0.228, 3 2.9 / 10.7 / 0.239, 4 1.8 / 10.4 / 0.243. The gain is on the ZDTs, whose optima lie
 *   on bounds; on DTLZ2, with an interior optimum, narrower kernels converge faster, so the
 *   factor is a compromise. ZDT2 stalls at 10.33, a front reduced to its end (0, 1): every
 *   other front point needs g < 1.618 at once. Also measured and left out (those 20 seeds,
 *   factor 1.5): recency weights instead of hypervolume contributions (8.6 / 16.8 / 0.251),
 *   γ(n) = ⌈0.15·n⌉ (9.8 / 15.8 / 0.312), 48 candidates (7.4 / 18.2 / 0.296).
 * - Good trials behind the good group's own front weigh 2^−f (f = 1 for its second front...)
 *   times their share of their front's hypervolume, where Optuna gives them a token weight,
 *   which leaves l(x) the few kernels of the front itself (often one or two early on, near one
 *   end of the front); the layers behind it add kernels spread along it. With the two changes
 *   above, on seeds 0-9: 6.69 / 12.8 / 0.187 (200 trials: 1.73 / 10.4 / 0.098) before,
 *   5.63 / 11.2 / 0.187 (0.657 / 10.3 / 0.098) after; on the 20 other seeds 6.06 / 11.8 /
 *   0.188 before, 4.47 / 11.2 / 0.188 after (a decay of 0.25: 5.24 / 10.8 / 0.188). DTLZ2's
 *   good group is nearly all on its front.
 *
 * Deviations from Optuna 5 and hyperopt, and why:
 * - Startup: the first `n_startup_trials` suggestions are random, counting trials that are
 *   pending, running, succeeded (finite objective) or early-stopped, and earlier suggestions
 *   of the same batch. So parallel workers get exactly that many random trials instead of
 *   random ones until that many have *finished* (Optuna) or one whole first batch (Katib's
 *   hyperopt). Failed, killed and metrics-unavailable trials do not count: they are replaced.
 * - Early-stopped trials rank after every finished trial, those that got further first, then by
 *   their last reported value (Optuna's order for pruned trials), and count towards γ(n); their
 *   partial objective is not comparable with a finished one. Without intermediate values they
 *   can only be bad. Putting every stopped trial in the bad group (our earlier rule) left γ(n)
 *   counting only the ~40 finished trials of lcbench_like: median regret at 4050 epochs with
 *   ASHA stopping 0.060 against 0.034 with this order (20 seeds), with medianstop 0.151
 *   against 0.079 (10 seeds). The model also starts from stopped trials alone.
 * - Constant liar (Optuna's `constant_liar=True`): pending and running trials, and earlier
 *   suggestions of the same batch, join the bad group, so parallel suggestions spread out
 *   instead of piling onto the same promising spot.
 * - normal and logNormal are modelled like uniform and logUniform (Optuna rejects them).
 * - Bandwidth floor of the joint model (our main change; Optuna's "magic clip" is
 *   σ ≥ range/min(100, n + 2) with n the kernels of that group): we use N, the number of
 *   finished trials, and 1.5·range/min(100, N + 2). The good group is capped at 25 trials, so
 *   Optuna's floor never drops below range/27 and stalls refinement near an optimum however
 *   long the search runs; tying it to N lets l(x) sharpen as evidence accumulates. On the
 *   hpo-anchor-v1 problems (40 seeds, 200 trials) this cut the median regret 1.4×
 *   (styblinski_tang) to 14× (levy) on the six continuous ones. The factor was chosen once for
 *   all problems among 0.5–2: 0.5 collapses onto local optima, 1–2 all beat Optuna on at
 *   least 6 of 8 problems, and 1.5 trapped the fewest seeds in hartmann6's second basin.
 *   The 1-D (`multivariate=false`) model keeps Optuna's floor: with per-dimension argmax the
 *   sharper kernels converge prematurely (rosenbrock regret 162 instead of 14).
 * - A point some trial already used (any state, this batch included) is not suggested again
 *   while the candidates or random draws offer an untried one: on small discrete spaces TPE
 *   would otherwise repeat its favourite, and a repeated batch member defeats the liar.
 * - Candidates are drawn from l with the suggestion's own seeded stream, so a request is
 *   reproducible from the experiment seed and the history alone.
 * - Seeding: trial n draws (random startup draws and candidates alike) from its own stream, the
 *   seed and n (`rngForSuggestion`), not from one stream per call. During startup trial n
 *   therefore gets the same parameters however the trials were batched; once the model is used
 *   its draws still depend only on the seed, n and what the history holds, but the history
 *   itself (which trials had finished when n was asked) depends on timing.
 * - Warm start (`priorTrials`): another experiment's succeeded trials are history before this
 *   one's, finished trials like any other, so they count towards `n_startup_trials` and the
 *   model is used from the first trial when there are enough of them (Optuna's `add_trials`).
 */
import type { Rng } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { leadingFronts } from '../leading-fronts.ts'
import { minimisedVector, objectiveSigns, totalViolation } from '../objective-vector.ts'
import { rngForSuggestion } from '../rng-for-suggestion.ts'
import { sampleParams } from '../sample-parameter.ts'
import type { SuggestRequest, SuggestResult, Suggester } from '../suggester.ts'
import { ParzenEstimator } from './parzen-estimator.ts'
import type { ParzenOptions } from './parzen-estimator.ts'
import { recencyWeights } from './recency-weights.ts'
import { optunaGamma, selectSmallest } from './split-trials.ts'
import type { GammaFunction } from './split-trials.ts'
import { TpeSpace } from './tpe-space.ts'
import { greedyHypervolumeSubset, hypervolumeContributions, referenceFor } from './hypervolume-subset.ts'

export interface TpeOptions {
  /** Random suggestions before the model is used. */
  readonly nStartupTrials: number
  /** Candidates drawn from l(x) per suggestion. */
  readonly nEiCandidates: number
  /** Weight of the prior kernel (an observation weighs 1). */
  readonly priorWeight: number
  /** Size of the good group for n finished trials. */
  readonly gamma: GammaFunction
  /** Joint kernels over all parameters; otherwise each parameter is modelled on its own. */
  readonly multivariate: boolean
}

export const DEFAULT_TPE_OPTIONS: TpeOptions = {
  nStartupTrials: 10,
  nEiCandidates: 24,
  priorWeight: 1,
  gamma: optunaGamma,
  multivariate: true,
}

/**
 * The joint model's bandwidth floor is JOINT_CLIP_FACTOR·range/min(100, N + 2) with N the
 * finished trials (see the header).
 */
export const JOINT_CLIP_FACTOR = 1.5

/** The same floor's factor with several objectives (see the header). */
export const MULTI_OBJECTIVE_CLIP_FACTOR = 2.5

// As the random suggester: past this many colliding draws the space is nearly used up anyway.
const MAX_UNTRIED_DRAWS = 32

// Optuna's EPS weight for good-group members that add no hypervolume: kept, but barely.
const TOKEN_WEIGHT = 1e-12

// With several objectives, each further front of the good group weighs this much less.
const DOMINATED_DECAY = 0.5

export class TpeSuggester implements Suggester {
  private readonly options: TpeOptions

  constructor(options: Partial<TpeOptions> = {}) {
    this.options = { ...DEFAULT_TPE_OPTIONS, ...options }
  }

  suggest(request: SuggestRequest): SuggestResult {
    const { space } = request
    const model = new TpeSpace(space)
    const signs = objectiveSigns(request)
    // A warm start's trials come first, as finished trials that count towards the startup.
    const trials = request.priorTrials ? [...request.priorTrials, ...request.trials] : request.trials
    const history = readHistory(model, trials, signs, request.count, (request.constraintCount ?? 0) > 0)
    let good: ParzenEstimator[] | undefined
    let nBelow = 0
    const suggestions: Params[] = []
    for (let i = 0; i < request.count; i++) {
      const rng = rngForSuggestion(request, i)
      const useModel = history.startupCount + i >= this.options.nStartupTrials && history.ranked > 0 && model.dimensions.length > 0
      let params: Params | undefined
      if (useModel) {
        if (good === undefined) {
          nBelow = Math.min(Math.max(this.options.gamma(history.ranked), 1), history.ranked)
          rankForSplit(history, nBelow)
        }
        // Recomputed per suggestion: this batch's liars so far join the bad group (never the good one).
        const split = splitHistory(history, nBelow)
        good ??= this.estimators(model, history, split.below, belowWeights(history, split.below))
        const point = this.pick(model, history, good, this.estimators(model, history, split.above), rng)
        if (point) params = model.decode(point, 0)
      }
      params ??= drawUntried(model, history, space, rng)
      suggestions.push(params)
      // The liar: later suggestions of this batch see this one as a running trial.
      if (model.encode(params, history.points, history.count * model.dimensions.length)) history.count++
    }
    return { suggestions }
  }

  /** One joint estimator, or one per dimension when not multivariate. */
  private estimators(model: TpeSpace, history: History, rows: Int32Array, weights: Float64Array = recencyWeights(rows.length)): ParzenEstimator[] {
    const d = model.dimensions.length
    const n = rows.length
    const several = history.objectives > 1
    const { priorWeight } = this.options
    if (this.options.multivariate) {
      const options: ParzenOptions = { priorWeight, clipCount: history.completed, clipFactor: several ? MULTI_OBJECTIVE_CLIP_FACTOR : JOINT_CLIP_FACTOR, censored: several }
      const points = new Float64Array(n * d)
      for (let r = 0; r < n; r++) points.set(history.points.subarray(rows[r]! * d, rows[r]! * d + d), r * d)
      return [new ParzenEstimator(model.dimensions, points, n, weights, options)]
    }
    const options: ParzenOptions = { priorWeight, censored: several }
    return model.dimensions.map((dimension, j) => {
      const column = new Float64Array(n)
      for (let r = 0; r < n; r++) column[r] = history.points[rows[r]! * d + j]!
      return new ParzenEstimator([dimension], column, n, weights, options)
    })
  }

  /**
   * The candidate drawn from l with the largest log l − log g that no trial has used; per
   * dimension when not multivariate. Undefined when every candidate was tried already.
   */
  private pick(model: TpeSpace, history: History, good: readonly ParzenEstimator[], bad: readonly ParzenEstimator[], rng: Rng): Float64Array | undefined {
    const m = this.options.nEiCandidates
    const d = model.dimensions.length
    const joint = good.length === 1
    const width = joint ? d : 1
    const candidates = new Float64Array(m * width)
    const score = new Float64Array(m)
    const logG = new Float64Array(m)
    const point = new Float64Array(d)
    for (let block = 0; block < good.length; block++) {
      const snap = joint ? (j: number, x: number) => model.snap(j, x) : (_: number, x: number) => model.snap(block, x)
      good[block]!.sample(rng, m, snap, candidates)
      good[block]!.logPdf(candidates, m, score)
      bad[block]!.logPdf(candidates, m, logG)
      for (let c = 0; c < m; c++) score[c] = score[c]! - logG[c]!
      if (!joint) {
        point[block] = candidates[argmax(score)]!
        continue
      }
      // Best first; a tried point would teach nothing new (and in a batch it is a liar).
      for (let attempt = 0; attempt < m; attempt++) {
        const best = argmax(score)
        point.set(candidates.subarray(best * d, best * d + d))
        if (!isTried(history, point)) return point
        score[best] = -Infinity
      }
      return undefined
    }
    return isTried(history, point) ? undefined : point
  }
}

/** Index of the largest value (the first of ties). */
function argmax(values: Float64Array): number {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i
  return best
}

/**
 * Random parameters no trial has used (any state, this batch included), as the random
 * suggester draws them; after MAX_UNTRIED_DRAWS collisions the last draw, tried or not.
 */
function drawUntried(model: TpeSpace, history: History, space: SearchSpace, rng: Rng): Params {
  const point = new Float64Array(model.dimensions.length)
  let params = sampleParams(space, rng)
  for (let draw = 1; draw < MAX_UNTRIED_DRAWS && model.encode(params, point, 0) && isTried(history, point); draw++) {
    params = sampleParams(space, rng)
  }
  return params
}

/** Whether some trial, in any state, or an earlier suggestion of this batch, sits at `point`. */
function isTried(history: History, point: Float64Array): boolean {
  const d = point.length
  const rows = [history.points, history.others] as const
  const counts = [history.count, history.otherCount] as const
  for (let part = 0; part < 2; part++) {
    const data = rows[part]!
    for (let r = 0; r < counts[part]!; r++) {
      let same = true
      for (let j = 0; j < d && same; j++) same = data[r * d + j] === point[j]
      if (same) return true
    }
  }
  return false
}

/**
 * The trials TPE can use, encoded once, in trial order (the recency weights rely on it): rows
 * of internal coordinates, and per row what the split ranks it by: the sign-adjusted objective
 * (minimising) of a trial that succeeded with a finite one, or +Infinity for rows that can only
 * be bad: pending and running trials, then this batch's own suggestions. Early-stopped trials,
 * infeasible ones and several objectives need an order of their own, which `rankForSplit`
 * writes into `values` as ranks.
 */
interface History {
  readonly points: Float64Array
  /** Rows of trials the model ignores (failed, killed, without metrics), for `isTried`. */
  readonly others: Float64Array
  readonly otherCount: number
  readonly values: Float64Array
  /** Objectives per vector (1 for a single objective). */
  readonly objectives: number
  /** Sign-adjusted objective vectors of the `feasible` rows, `objectives` per row, by row. */
  readonly vectors: Float64Array
  /** Rows of finished trials that keep every constraint, in trial order. */
  readonly feasible: readonly number[]
  /** Early-stopped rows that reported, with their furthest step and last sign-adjusted value. */
  readonly stopped: readonly { row: number; step: number; value: number }[]
  /** Finished rows that break a constraint, with their total violation. */
  readonly infeasible: readonly { row: number; violation: number }[]
  /** Rows with a finite objective (infeasible ones included): the bandwidth floor's N. */
  readonly completed: number
  /** Rows with a rank: feasible, infeasible and early-stopped trials that reported. */
  readonly ranked: number
  /** Rows in use; grows as the batch adds liars. */
  count: number
  /** Trials that count towards `n_startup_trials`. */
  readonly startupCount: number
}

function readHistory(model: TpeSpace, trials: readonly TrialSnapshot[], signs: readonly number[], batch: number, constrained: boolean): History {
  const d = model.dimensions.length
  const m = signs.length
  const points = new Float64Array((trials.length + batch) * d)
  const values = new Float64Array(trials.length + batch).fill(Infinity)
  const vectors = new Float64Array(m > 1 ? trials.length * m : 0)
  const feasible: number[] = []
  const stopped: { row: number; step: number; value: number }[] = []
  const infeasible: { row: number; violation: number }[] = []
  const others = new Float64Array(trials.length * d)
  let otherCount = 0
  let count = 0
  let startupCount = 0
  for (const trial of trials) {
    const vector = trial.state === 'Succeeded' ? minimisedVector(trial, signs) : undefined
    const onlyBad = trial.state === 'Pending' || trial.state === 'Running' || trial.state === 'EarlyStopped'
    if (vector === undefined && !onlyBad) {
      if (model.encode(trial.params, others, otherCount * d)) otherCount++
      continue
    }
    startupCount++
    if (!model.encode(trial.params, points, count * d)) continue
    if (vector !== undefined) {
      const violation = constrained ? totalViolation(trial.constraints) : 0
      if (violation > 0) {
        infeasible.push({ row: count, violation })
      } else {
        values[count] = vector[0]!
        if (m > 1) vectors.set(vector, count * m)
        feasible.push(count)
      }
    } else if (trial.state === 'EarlyStopped') {
      const last = lastReport(trial)
      if (last) stopped.push({ row: count, step: last.step, value: signs[0]! * last.value })
    }
    count++
  }
  const ranked = feasible.length + stopped.length + infeasible.length
  return { points, others, otherCount, values, objectives: m, vectors, feasible, stopped, infeasible, completed: feasible.length + infeasible.length, ranked, count, startupCount }
}

/** The last finite intermediate value of a trial, if it reported any. */
function lastReport(trial: TrialSnapshot): { step: number; value: number } | undefined {
  const series = trial.intermediate ?? []
  for (let i = series.length - 1; i >= 0; i--) if (Number.isFinite(series[i]!.value)) return series[i]
  return undefined
}

/**
 * Turns `values` into ranks where one objective value per row is not the whole order (Optuna's
 * `_split_trials`): feasible finished trials first, then early-stopped ones (those that got
 * further first, then by their last value: Optuna's order for pruned trials), then infeasible
 * ones by total violation (Optuna's feasibility split). Feasible trials are ordered by their
 * objective, or with several objectives by MOTPE's rule (`multiObjectiveOrder`), which depends
 * on how many go below. With one objective, nothing stopped and nothing infeasible, `values`
 * already is the order and stays untouched.
 */
function rankForSplit(history: History, nBelow: number): void {
  const { values, feasible, stopped, infeasible } = history
  if (history.objectives === 1 && stopped.length === 0 && infeasible.length === 0) return
  const order = history.objectives === 1
    ? [...feasible].sort((a, b) => values[a]! - values[b]! || a - b)
    : multiObjectiveOrder(history, nBelow)
  order.push(...[...stopped].sort((a, b) => b.step - a.step || a.value - b.value || a.row - b.row).map((s) => s.row))
  order.push(...[...infeasible].sort((a, b) => a.violation - b.violation || a.row - b.row).map((s) => s.row))
  order.forEach((row, rank) => { values[row] = rank })
}

/**
 * MOTPE's order of the feasible rows (Optuna's `_split_complete_trials_multi_objective`): whole
 * non-dominated fronts, best first, while they fit in `nBelow`; the front that straddles the cut
 * contributes its greedy hypervolume subset first, so the good group keeps the front's spread.
 * Past the cut the order is arbitrary (those rows are bad whatever their rank).
 */
function multiObjectiveOrder(history: History, nBelow: number): number[] {
  const vectorsOf = (rows: readonly number[]) => rows.map((row) => vectorOf(history, row))
  const fronts = leadingFronts(vectorsOf(history.feasible), nBelow).map((front) => front.map((i) => history.feasible[i]!))
  const order: number[] = []
  for (const front of fronts) {
    const room = nBelow - order.length
    if (room > 0 && room < front.length) {
      const points = vectorsOf(front)
      const first = greedyHypervolumeSubset(points, room, referenceFor(points)).map((i) => front[i]!)
      const taken = new Set(first)
      order.push(...first, ...front.filter((row) => !taken.has(row)))
    } else {
      order.push(...front)
    }
  }
  // The rest are all in the bad group: their order does not matter.
  const placed = new Set(order)
  order.push(...history.feasible.filter((row) => !placed.has(row)))
  return order
}

function vectorOf(history: History, row: number): number[] {
  const m = history.objectives
  return Array.from(history.vectors.subarray(row * m, row * m + m))
}

/**
 * Weights of the good group's kernels. One objective: the recency ramp. Several (after Optuna's
 * `_calculate_weights_below_for_multi_objective`): each feasible member's share of its front's
 * hypervolume, relative to the largest share in that front, so the kernels that hold the
 * front's extent weigh most; the good group's own second front weighs half as much, its third
 * a quarter and so on (Optuna gives every dominated member a token weight; see the header).
 * Stopped and infeasible members keep a token weight.
 */
function belowWeights(history: History, rows: Int32Array): Float64Array {
  if (history.objectives === 1) return recencyWeights(rows.length)
  const weights = new Float64Array(rows.length).fill(TOKEN_WEIGHT)
  const feasibleRows = new Set(history.feasible)
  const members: number[] = []
  for (let r = 0; r < rows.length; r++) if (feasibleRows.has(rows[r]!)) members.push(r)
  if (members.length === 1) weights[members[0]!] = 1
  if (members.length <= 1) return weights
  const points = members.map((r) => vectorOf(history, rows[r]!))
  const reference = referenceFor(points)
  leadingFronts(points, Infinity).forEach((front, f) => {
    const layer = front.map((i) => points[i]!)
    const contributions = hypervolumeContributions(layer, reference)
    const largest = Math.max(...contributions)
    front.forEach((i, k) => {
      // Volumes overflow for objectives near the largest double: the front's members then share alike.
      const share = layer.length === 1 || !Number.isFinite(largest) ? 1 : contributions[k]! / Math.max(largest, TOKEN_WEIGHT)
      weights[members[i]!] = Math.max(share * DOMINATED_DECAY ** f, TOKEN_WEIGHT)
    })
  })
  return weights
}

/** Row indices of the `nBelow` lowest-ranked rows (the good group) and of everything else, each in trial order. */
function splitHistory(history: History, nBelow: number): { below: Int32Array; above: Int32Array } {
  // Rows without a rank are +Infinity, so they are never among the nBelow smallest.
  const isBelow = selectSmallest(history.values, history.count, nBelow)
  let count = 0
  for (let r = 0; r < history.count; r++) count += isBelow[r]!
  const below = new Int32Array(count)
  const above = new Int32Array(history.count - count)
  let b = 0
  let a = 0
  for (let r = 0; r < history.count; r++) {
    if (isBelow[r]) below[b++] = r
    else above[a++] = r
  }
  return { below, above }
}
