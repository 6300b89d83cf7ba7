/**
 * Bayesian optimisation with a Gaussian process (Jones, Schonlau & Welch 1998; Snoek,
 * Larochelle & Adams, "Practical Bayesian Optimization of Machine Learning Algorithms",
 * NeurIPS 2012), in the shape of Katib's `bayesianoptimization` (a scikit-optimize `Optimizer`
 * with a GP): an initial space-filling design, then each suggestion maximises an acquisition
 * function of a GP fitted to every succeeded trial.
 *
 * - Model: Matérn 5/2 ARD GP (gaussian-process.ts) on the unit cube of the space
 *   (unit-cube.ts: log parameters on a log axis, ints and steps as cells, categoricals one-hot),
 *   hyperparameters by MAP (fit-hyperparameters.ts), objectives warped and standardised
 *   (output-transform.ts). Maximisation is minimisation of the negated objective.
 * - Which trials count: Succeeded trials with a finite objective are data. Pending and Running
 *   trials are in flight: they are "kriging believer" fantasies (Ginsbourger, Le Riche &
 *   Carraro, "Kriging is well-suited to parallelize optimization", 2010), observations equal
 *   to the GP's own mean there, which leave the mean alone but collapse the variance, so the
 *   next point goes elsewhere. Points of a batch are fantasised the same way one by one, which
 *   is how a batch of `count` spreads instead of repeating one maximiser. Failed, Killed,
 *   EarlyStopped and MetricsUnavailable trials are left out of the model (EarlyStopped values
 *   are partial, and Katib's skopt service only tells succeeded trials too), but no trial's
 *   parameters are ever suggested again: a candidate that decodes to a tried point (ints and
 *   categoricals make that common) gives way to the next best one.
 * - Initial design: the first `n_initial_points` trials (any state) are a scrambled Sobol'
 *   sequence over the cube, continued across calls (its scramble is kept in the state), as is
 *   anything suggested before two trials have succeeded.
 * - Stalls: when no screened point has even a 10⁻⁶ probability of improving on the best value
 *   by ξ, the model is sure nothing it can reach is better, and every acquisition function then
 *   picks near-copies of the incumbent or the box's corners. That happens on deceptive
 *   plateaus. On our mixed_svm_like benchmark a linear kernel gives a flat 0.12 that ignores
 *   two of the four parameters; in one traced run 38 of the first 50 trials sat on that
 *   plateau and the GP had concluded that those two parameters never matter, and 12 of 20
 *   seeds were still on the plateau after 200 trials. A stalled step takes the next point of the Sobol' sequence instead, the model-free
 *   exploration that SMAC interleaves at a fixed rate (Hutter, Hoos & Leyton-Brown, "Sequential
 *   Model-Based Optimization for General Algorithm Configuration", LION 2011) but only when the
 *   model has nothing to offer; then 19 of 20 seeds left the plateau by trial 50 (median regret
 *   0.02 at 200 trials, against 0.07). On the continuous problems it changed nothing at 50
 *   trials.
 * - Batches keep the points in flight at least MIN_SEPARATION length scales apart
 *   (maximize-acquisition.ts) when the ranked candidates allow it: where the model is sure
 *   of the optimum, a believer's batch would otherwise be copies 10⁻⁴ apart.
 * - State between calls (plain JSON): the scramble, the last hyperparameters (a warm start that
 *   makes the refit a few iterations), and gp_hedge's gains and last proposals. Suggestions are
 *   a function of the request alone, state included.
 * - Cost: the GP keeps at most MAX_MODEL_POINTS observations and fits its hyperparameters on at
 *   most MAX_FIT_POINTS of them (subsample-history.ts: the best quarter plus a seeded random
 *   sample of the rest); screening candidates shrink as 1/n² so the O(n²) predictive variance
 *   keeps a bounded cost.
 * - Warm start (`priorTrials`): another experiment's succeeded trials are observations like
 *   this one's and count towards the initial design (as told points do in skopt), so the model
 *   is used from the first trial when there are `n_initial_points` of them; their points are
 *   not suggested again.
 * - Seeding: the i-th suggestion of a call draws (its acquisition search, gp_hedge's choice, a
 *   random fallback) from the stream of its own trial number (`rngForSuggestion`); the model
 *   fit draws from the call's stream. The initial design is the Sobol' sequence by trial
 *   number, so it does not depend on batching; after it, suggestions depend on the history,
 *   which depends on which trials had finished when each was asked.
 *
 * - Several objectives (`directions`, issue 19), after the same initial design: by default
 *   SMS-EGO (sms-ego.ts): a GP per objective, and each point where the predicted objectives add
 *   the most hypervolume to the front; or (`multi_objective: parego`) ParEGO (parego.ts): every
 *   ask draws a weight vector and the one GP models the augmented Chebyshev scalarisation of the
 *   normalised objective vectors, everything else as above. Measured on bench:multiobjective
 *   (docs/benchmarks.md): SMS-EGO is level on ZDT1/ZDT2, better on DTLZ2 and the constrained
 *   ZDT1. Katib's service has one objective.
 * - Constraints (`constraintCount`, single- or multi-objective): one GP per constraint on the
 *   reported violations, and the acquisition times the probability of feasibility (Gardner et
 *   al. 2014, constraint-models.ts); f* and the incumbents are the best feasible observations,
 *   and until one is feasible the search maximises the probability of feasibility alone. The
 *   objective GP still learns from infeasible trials. Pending trials are believed by the
 *   objective GP only.
 *
 * Deviations from Katib: Katib's skopt service treats every double as log-uniform (so min must
 * be > 0, kubeflow/katib#2688); we use each parameter's own scale (uniform and normal linear,
 * logUniform and logNormal logarithmic), like every other algorithm here. The initial design is
 * Sobol' rather than skopt's independent random draws; tried parameter sets are not repeated
 * (skopt may repeat integer and categorical points); stalls explore (above); skopt does none of
 * the output warping, batch separation or fantasising of running trials (Katib's service only
 * tells it finished ones). Acquisition units and gp_hedge's η: see acquisition.ts, gp-hedge.ts.
 */
import type { Rng } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import { paramsKey } from '../params-key.ts'
import { rngForSuggestion } from '../rng-for-suggestion.ts'
import { sampleParams } from '../sample-parameter.ts'
import { SOBOL_MAX_DIMENSIONS, SOBOL_MAX_INDEX, sobolPoint } from '../sobol/sobol-sequence.ts'
import { sobolShift } from '../sobol/sobol-suggester.ts'
import type { SuggestRequest, SuggestResult, Suggester } from '../suggester.ts'
import { createUnitCube } from '../unit-cube.ts'
import type { UnitCube } from '../unit-cube.ts'
import { DEFAULT_KAPPA, DEFAULT_XI } from './acquisition.ts'
import type { AcquisitionName } from './acquisition.ts'
import { fitHyperparameters } from './fit-hyperparameters.ts'
import { GaussianProcess } from './gaussian-process.ts'
import type { GpHyperparameters } from './gaussian-process.ts'
import { HEDGE_PORTFOLIO, pickHedge } from './gp-hedge.ts'
import { scaledDistance } from './matern52-kernel.ts'
import { MIN_SEPARATION, maximizeAcquisition } from './maximize-acquisition.ts'
import { transformObjectives } from './output-transform.ts'
import { subsampleIndices } from './subsample-history.ts'
import { augmentedChebyshev, simplexWeights } from './parego.ts'
import { fitConstraintModels } from './constraint-models.ts'
import type { ConstraintModel } from './constraint-models.ts'
import { SmsEgo } from './sms-ego.ts'

export type GpAcquisition = AcquisitionName | 'gp_hedge'

export interface GpSuggesterOptions {
  /** Trials taken from the initial design before the model is used (skopt's n_initial_points). */
  readonly initialPoints: number
  readonly acquisition: GpAcquisition
  /** Gradient-based local search of the acquisition (auto, lbfgs) or screening only (sampling). */
  readonly localSearch: boolean
  /** With several objectives: ParEGO's scalarisation (parego.ts) or SMS-EGO's hypervolume gain (sms-ego.ts). */
  readonly multiObjective?: 'parego' | 'smsego'
}

/** What `suggest` keeps between calls (plain JSON). */
export interface GpState {
  readonly scrambleSeed: number
  readonly hyperparameters?: GpHyperparameters
  /** gp_hedge's gains, in HEDGE_PORTFOLIO order. */
  readonly gains?: readonly number[]
  /** gp_hedge's last proposals (cube coordinates), credited once new data arrive. */
  readonly proposals?: readonly (readonly number[])[]
  /** Observations the model had when `proposals` were made. */
  readonly observed?: number
  /** SMS-EGO's per-objective GP hyperparameters (warm starts). */
  readonly objectiveHyperparameters?: readonly GpHyperparameters[]
}

/** A model needs this many observations; before that, the initial design continues. */
export const MIN_OBSERVATIONS = 2
export const MAX_MODEL_POINTS = 600
export const MAX_FIT_POINTS = 128
/** Screening candidates: at most this many, and about SCREENING_WORK / n² so the cost stays bounded. */
const MAX_CANDIDATES = 2048
const MIN_CANDIDATES = 256
const SCREENING_WORK = 2e7
/** Screening only (acq_optimizer: sampling) gets this many times more candidates. */
const SAMPLING_FACTOR = 4
const RANDOM_FALLBACK_DRAWS = 64
/** Below this probability of improvement anywhere, the model has stalled (see the header). */
const STALL_PROBABILITY = 1e-6
const LOG_STALL = Math.log(STALL_PROBABILITY)
/** Gradient ascents per acquisition function; fewer past LOCAL_STARTS_FULL_UP_TO observations (each step costs O(n²)). */
const LOCAL_STARTS = 4
const LOCAL_STARTS_FULL_UP_TO = 200

export interface Observations {
  readonly x: Float64Array[]
  readonly y: number[]
  readonly pending: Float64Array[]
}

/** Observations with each one's constraint violations (`violations[k][i]`) and feasibility. */
export interface ConstrainedObservations extends Observations {
  /** The objective vectors, minimised (one value without several objectives). */
  readonly vectors: number[][]
  readonly violations: number[][]
  readonly feasible: boolean[]
}

export class GpSuggester implements Suggester {
  constructor(private readonly options: GpSuggesterOptions) {}

  suggest(request: SuggestRequest): SuggestResult {
    const { space, rng } = request
    const cube = createUnitCube(space)
    const previous = readState(request.state, cube.dimensions)
    const scrambleSeed = previous?.scrambleSeed ?? rng.int(2 ** 32)
    const used = new Set([...request.priorTrials ?? [], ...request.trials].map((t) => paramsKey(space, t.params)))
    const data = observe(request, cube, rng)
    const suggestions: Params[] = []
    const design: Float64Array[] = []

    let designIndex = initialDesign(request, cube, scrambleSeed, used, this.options.initialPoints, data.y.length, suggestions, design)
    if (suggestions.length === request.count) {
      return { suggestions, state: { ...previous, scrambleSeed } satisfies GpState }
    }

    if (this.options.multiObjective === 'smsego' && (request.directions?.length ?? 0) >= 2) {
      return this.suggestSmsEgo(request, cube, data, previous, scrambleSeed, used, suggestions, design)
    }
    const model = this.fitModel(data, cube, previous, rng, design.length + request.count - suggestions.length)
    const constraints = model.constraints
    const portfolio = this.options.acquisition === 'gp_hedge' ? HEDGE_PORTFOLIO : [this.options.acquisition]
    const gains = this.options.acquisition === 'gp_hedge' ? updatedGains(previous, model.gp, data.y.length) : undefined
    let proposals: number[][] | undefined

    // Believe every in-flight point (earlier trials, then this batch's design points) at the mean.
    let best = model.best
    const inFlight = [...data.pending, ...design]
    // With constraints a believed point may be infeasible, so it does not lower the feasible f*.
    const believed = (x: Float64Array): void => {
      const mean = believe(model.gp, x)
      if (constraints.length === 0) best = Math.min(best, mean)
    }
    for (const x of inFlight) believed(x)
    const lengthscales = model.gp.hyperparameters.lengthscales
    const apart = (x: Float64Array): boolean => inFlight.every((y) => scaledDistance(x, y, lengthscales) >= MIN_SEPARATION)

    while (suggestions.length < request.count) {
      const own = rngForSuggestion(request, suggestions.length)
      const { ranked, logImprovementProbability } = maximizeAcquisition({
        gp: model.gp,
        cube,
        names: portfolio,
        settings: { best, xi: DEFAULT_XI, kappa: DEFAULT_KAPPA },
        incumbents: model.incumbents,
        rng: own,
        candidates: this.candidateCount(model.gp.size),
        localStarts: this.localStarts(model.gp.size),
        ...(constraints.length > 0 ? { constraints, feasibilityOnly: !Number.isFinite(best) } : {}),
      })
      const choice = gains ? pickHedge(gains, own) : 0
      if (gains && proposals === undefined) proposals = ranked.map((points) => Array.from(points[0]!.x))
      const points = ranked[choice]!.map((p) => p.x)
      let params: Params
      if (logImprovementProbability < LOG_STALL) {
        const point = designPoint(space, cube, scrambleSeed, designIndex, used, own)
        designIndex = point.next
        params = point.params
      } else {
        params = firstUnused(space, cube, points.filter(apart), used) ?? firstUnused(space, cube, points, used) ?? randomUnused(space, own, used)
      }
      used.add(paramsKey(space, params))
      suggestions.push(params)
      const x = cube.encode(params)
      if (x) {
        believed(x)
        inFlight.push(x)
      }
    }

    const state: GpState = {
      scrambleSeed,
      hyperparameters: model.gp.hyperparameters,
      ...(gains ? { gains, proposals: proposals ?? [], observed: data.y.length } : {}),
    }
    return { suggestions, state: JSON.parse(JSON.stringify(state)) as GpState }
  }

  private fitModel(data: ConstrainedObservations, cube: UnitCube, previous: GpState | undefined, rng: Rng, fantasies: number): { gp: GaussianProcess; best: number; incumbents: Float64Array[]; constraints: ConstraintModel[] } {
    const d = cube.dimensions
    const kept = subsampleIndices(data.y, MAX_MODEL_POINTS, rng)
    const n = kept.length
    const x = new Float64Array(n * d)
    kept.forEach((index, row) => x.set(data.x[index]!, row * d))
    const z = transformObjectives(kept.map((i) => data.y[i]!)).values
    const fitRows = subsampleIndices(z, MAX_FIT_POINTS, rng)
    const fitX = new Float64Array(fitRows.length * d)
    fitRows.forEach((row, k) => fitX.set(x.subarray(row * d, (row + 1) * d), k * d))
    const hyper = fitHyperparameters(fitX, fitRows.length, d, fitRows.map((row) => z[row]!), {
      rng,
      ...(previous?.hyperparameters ? { warmStart: previous.hyperparameters } : {}),
    })
    const gp = GaussianProcess.fit(x, n, d, z, hyper, data.pending.length + fantasies)
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => z[a]! - z[b]! || a - b)
    if (data.violations.length === 0) return { gp, best: z[order[0]!]!, incumbents: order.slice(0, 5).map((row) => x.slice(row * d, (row + 1) * d)), constraints: [] }
    const constraints = fitConstraintModels(x, n, d, data.violations.map((v) => kept.map((i) => v[i]!)), rng, MAX_FIT_POINTS, data.pending.length + fantasies)
    // f* and the incumbents are the best feasible rows; with none, the least violating ones lead
    // the search for a feasible point (best stays +Infinity: feasibility alone is maximised).
    const feasible = order.filter((row) => data.feasible[kept[row]!])
    const leastViolating = Array.from({ length: n }, (_, row) => row)
      .sort((a, b) => totalViolation(data, kept[a]!) - totalViolation(data, kept[b]!) || a - b)
    const leaders = feasible.length > 0 ? feasible : leastViolating
    return {
      gp,
      best: feasible.length > 0 ? z[feasible[0]!]! : Infinity,
      incumbents: leaders.slice(0, 5).map((row) => x.slice(row * d, (row + 1) * d)),
      constraints,
    }
  }

  /** Several objectives by SMS-EGO (sms-ego.ts), after the same initial design. */
  private suggestSmsEgo(
    request: SuggestRequest, cube: UnitCube, data: ConstrainedObservations, previous: GpState | undefined, scrambleSeed: number,
    used: Set<string>, suggestions: Params[], design: Float64Array[],
  ): SuggestResult {
    const { space, rng } = request
    const d = cube.dimensions
    const fantasies = data.pending.length + design.length + request.count
    let constraints: ConstraintModel[] = []
    if (data.violations.length > 0) {
      const rows = subsampleIndices(data.y, MAX_MODEL_POINTS, rng)
      const x = new Float64Array(rows.length * d)
      rows.forEach((index, row) => x.set(data.x[index]!, row * d))
      constraints = fitConstraintModels(x, rows.length, d, data.violations.map((v) => rows.map((i) => v[i]!)), rng, MAX_FIT_POINTS, fantasies)
    }
    const warm = previous?.objectiveHyperparameters?.length === data.vectors[0]?.length ? previous?.objectiveHyperparameters : undefined
    const model = new SmsEgo(data, cube, rng, MAX_MODEL_POINTS, MAX_FIT_POINTS, fantasies, warm, constraints)
    for (const x of [...data.pending, ...design]) model.believe(x)
    while (suggestions.length < request.count) {
      const own = rngForSuggestion(request, suggestions.length)
      const params = firstUnused(space, cube, model.rank(own), used) ?? randomUnused(space, own, used)
      used.add(paramsKey(space, params))
      suggestions.push(params)
      const x = cube.encode(params)
      if (x) model.believe(x)
    }
    const state: GpState = {
      scrambleSeed,
      ...(previous?.hyperparameters ? { hyperparameters: previous.hyperparameters } : {}),
      objectiveHyperparameters: model.hyperparameters,
    }
    return { suggestions, state: JSON.parse(JSON.stringify(state)) as GpState }
  }

  private localStarts(n: number): number {
    if (!this.options.localSearch) return 0
    return Math.max(1, Math.min(LOCAL_STARTS, Math.round(LOCAL_STARTS * (LOCAL_STARTS_FULL_UP_TO / Math.max(n, 1)) ** 2)))
  }

  private candidateCount(n: number): number {
    const base = Math.min(MAX_CANDIDATES, Math.max(MIN_CANDIDATES, Math.floor(SCREENING_WORK / Math.max(n, 1) ** 2)))
    return this.options.localSearch ? base : base * SAMPLING_FACTOR
  }
}

function totalViolation(data: ConstrainedObservations, i: number): number {
  let total = 0
  for (const v of data.violations) total += Math.max(0, v[i]!)
  return Number.isNaN(total) ? Infinity : total
}

/**
 * What the GP learns from. One objective without constraints: `collect`. Otherwise the same
 * trials, with y the ParEGO scalarisation of the objective vectors (minimised, a weight vector
 * drawn from `rng`) when there are several objectives, and each trial's violations (a missing
 * or short list counts as violating every constraint, +Infinity).
 */
export function observe(request: SuggestRequest, cube: UnitCube, rng: Rng): ConstrainedObservations {
  const directions = request.directions !== undefined && request.directions.length >= 2 ? request.directions : undefined
  const constraintCount = request.constraintCount ?? 0
  if (directions === undefined && constraintCount === 0) {
    const base = collect(request, cube)
    return { ...base, vectors: base.y.map((v) => [v]), violations: [], feasible: base.y.map(() => true) }
  }
  const sign = (direction: string): number => (direction === 'maximize' ? -1 : 1)
  const x: Float64Array[] = []
  const vectors: number[][] = []
  const pending: Float64Array[] = []
  const violations: number[][] = Array.from({ length: constraintCount }, () => [])
  const feasible: boolean[] = []
  for (const trial of request.trials) {
    const encoded = cube.encode(trial.params)
    if (!encoded) continue
    if (trial.state === 'Succeeded') {
      let vector: number[] | undefined
      if (directions) {
        const values = trial.values
        if (values?.length === directions.length && values.every(Number.isFinite)) vector = values.map((v, j) => sign(directions[j]!) * v)
      } else if (typeof trial.objective === 'number' && Number.isFinite(trial.objective)) {
        vector = [sign(request.direction) * trial.objective]
      }
      if (!vector) continue
      const reported = trial.constraints?.length === constraintCount ? trial.constraints : undefined
      const row = Array.from({ length: constraintCount }, (_, k) => {
        const v = reported?.[k]
        return typeof v === 'number' && !Number.isNaN(v) ? v : Infinity
      })
      x.push(encoded)
      vectors.push(vector)
      row.forEach((v, k) => violations[k]!.push(v))
      feasible.push(row.every((v) => v <= 0))
    } else if (trial.state === 'Pending' || trial.state === 'Running') {
      pending.push(encoded)
    }
  }
  const y = directions ? augmentedChebyshev(vectors, simplexWeights(rng, directions.length)) : vectors.map((v) => v[0]!)
  return { x, y, pending, vectors, violations, feasible }
}

/**
 * Encoded succeeded observations (negated when maximising) and in-flight points. With several
 * objectives, ParEGO's scalarisation with a weight vector drawn from the call's stream (the
 * tree surrogates learn from this; they ignore constraints).
 */
export function collect(request: SuggestRequest, cube: UnitCube): Observations {
  if (request.directions !== undefined && request.directions.length >= 2) {
    const { x, y, pending } = observe(request, cube, request.rng)
    return { x, y, pending }
  }
  const sign = request.direction === 'maximize' ? -1 : 1
  const x: Float64Array[] = []
  const y: number[] = []
  const pending: Float64Array[] = []
  for (const trial of [...request.priorTrials ?? [], ...request.trials]) {
    const encoded = cube.encode(trial.params)
    if (!encoded) continue
    if (trial.state === 'Succeeded' && typeof trial.objective === 'number' && Number.isFinite(trial.objective)) {
      x.push(encoded)
      y.push(sign * trial.objective)
    } else if (trial.state === 'Pending' || trial.state === 'Running') {
      pending.push(encoded)
    }
  }
  return { x, y, pending }
}

/** Conditions the GP on its own mean at x (a kriging-believer fantasy); returns that mean. */
function believe(gp: GaussianProcess, x: Float64Array): number {
  const mean = gp.predict(x).mean
  gp.condition(x, mean)
  return mean
}

function updatedGains(previous: GpState | undefined, gp: GaussianProcess, observed: number): number[] {
  const gains = previous?.gains?.length === HEDGE_PORTFOLIO.length ? [...previous.gains] : HEDGE_PORTFOLIO.map(() => 0)
  const proposals = previous?.proposals
  if (proposals?.length === gains.length && observed > (previous?.observed ?? Infinity)) {
    proposals.forEach((x, i) => { gains[i]! -= gp.predict(x).mean })
  }
  return gains
}

/**
 * Sobol' point `index` of the design mapped to legal params: one coordinate per parameter
 * (a categorical takes choice ⌊u·k⌋), so each parameter's values are stratified. Points
 * already tried are skipped, a bounded number of times.
 */
/**
 * The space-filling start the GP and the tree surrogates share: design points (appended to
 * `suggestions`, encoded to `encoded`, marked `used`) while fewer than `initialPoints` trials
 * exist or fewer than MIN_OBSERVATIONS are observed, up to the request's count. Returns the
 * design index to continue from.
 */
export function initialDesign(
  request: SuggestRequest, cube: UnitCube, scrambleSeed: number, used: Set<string>, initialPoints: number, observed: number,
  suggestions: Params[], encoded: Float64Array[],
): number {
  const { space } = request
  // A warm start's trials count as points of the design already run (skopt's `tell` of them).
  let designIndex = (request.priorTrials?.length ?? 0) + request.trials.length
  while (suggestions.length < request.count && (designIndex < initialPoints || observed < MIN_OBSERVATIONS)) {
    const { params, next } = designPoint(space, cube, scrambleSeed, designIndex, used, rngForSuggestion(request, suggestions.length))
    designIndex = next
    used.add(paramsKey(space, params))
    suggestions.push(params)
    encoded.push(cube.encode(params) ?? new Float64Array(cube.dimensions))
  }
  return designIndex
}

export function designPoint(space: SearchSpace, cube: UnitCube, scrambleSeed: number, index: number, used: ReadonlySet<string>, rng: Rng): { params: Params; next: number } {
  const shift = space.length <= SOBOL_MAX_DIMENSIONS ? sobolShift(scrambleSeed, space.length) : undefined
  for (let i = index; i < index + RANDOM_FALLBACK_DRAWS && i <= SOBOL_MAX_INDEX; i++) {
    const u = shift ? sobolPoint(i, space.length, shift) : space.map(() => rng.next())
    const x = new Float64Array(cube.dimensions)
    cube.slots.forEach((slot, p) => {
      if (slot.parameter.type === 'categorical') x[slot.start + Math.min(Math.floor(u[p]! * slot.size), slot.size - 1)] = 1
      else x[slot.start] = u[p]!
    })
    const params = cube.decode(x)
    if (!used.has(paramsKey(space, params))) return { params, next: i + 1 }
  }
  return { params: randomUnused(space, rng, used), next: index + 1 }
}

export function firstUnused(space: SearchSpace, cube: UnitCube, points: readonly Float64Array[], used: ReadonlySet<string>): Params | undefined {
  for (const x of points) {
    const params = cube.decode(x)
    if (!used.has(paramsKey(space, params))) return params
  }
  return undefined
}

export function randomUnused(space: SearchSpace, rng: Rng, used: ReadonlySet<string>): Params {
  let params = sampleParams(space, rng)
  for (let draw = 1; draw < RANDOM_FALLBACK_DRAWS && used.has(paramsKey(space, params)); draw++) params = sampleParams(space, rng)
  return params
}

export function readState(state: unknown, dimensions: number): GpState | undefined {
  if (typeof state !== 'object' || state === null) return undefined
  const s = state as Record<string, unknown>
  const seed = s['scrambleSeed']
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) return undefined
  const hyperparameters = readHyperparameters(s['hyperparameters'], dimensions)
  const gains = isNumberArray(s['gains']) ? s['gains'] : undefined
  const proposals = Array.isArray(s['proposals']) && s['proposals'].every((p) => isNumberArray(p) && p.length === dimensions) ? (s['proposals'] as number[][]) : undefined
  const observed = typeof s['observed'] === 'number' ? s['observed'] : undefined
  const perObjective = Array.isArray(s['objectiveHyperparameters']) ? s['objectiveHyperparameters'].map((h) => readHyperparameters(h, dimensions)) : undefined
  const objectiveHyperparameters = perObjective?.every((h) => h !== undefined) ? perObjective as GpHyperparameters[] : undefined
  return {
    scrambleSeed: seed,
    ...(hyperparameters ? { hyperparameters } : {}),
    ...(gains ? { gains } : {}),
    ...(proposals ? { proposals } : {}),
    ...(observed !== undefined ? { observed } : {}),
    ...(objectiveHyperparameters ? { objectiveHyperparameters } : {}),
  }
}

function readHyperparameters(value: unknown, dimensions: number): GpHyperparameters | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const h = value as Record<string, unknown>
  const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0
  const lengthscales = h['lengthscales']
  if (!Array.isArray(lengthscales) || lengthscales.length !== dimensions || !lengthscales.every(positive)) return undefined
  if (!positive(h['signalVariance']) || !positive(h['noiseVariance'])) return undefined
  return { lengthscales: lengthscales as number[], signalVariance: h['signalVariance'], noiseVariance: h['noiseVariance'] }
}

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v))
}
