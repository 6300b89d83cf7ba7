/**
 * Parameter importance by PED-ANOVA (S. Watanabe, A. Bansal, F. Hutter: "PED-ANOVA: Efficiently
 * Quantifying Hyperparameter Importance in Arbitrary Subspaces", IJCAI 2023).
 *
 * Chosen over fANOVA on a random forest because it needs no model: for each parameter it
 * compares where the top trials lie with where all trials lie, and that difference (a Pearson
 * divergence between two one-dimensional densities) is, by the paper's theorem, the parameter's
 * share of the objective's variance restricted to the top quantile. Cost is linear in the trials
 * and independent of their order, so 10,000 trials take milliseconds and the answer is
 * deterministic (no seed is consumed unless the trials exceed `maxTrials`).
 *
 * Per parameter, on its own scale: log-uniform/log-normal numbers on the log of their value,
 * others linear, both over the spec's [min, max] cut into a grid of `gridSize` points (ints with
 * fewer values than that get one point each). The densities there are Parzen estimates in the
 * manner of Optuna's implementation: a Gaussian per trial with Scott's bandwidth (at least half a
 * grid step), truncated to the range, plus a uniform prior worth one trial, so an empty region
 * never divides by zero. Categoricals, discrete lists and booleans count trials per value, plus
 * the same prior spread evenly. importance = Σ_x p_all(x) · (p_top(x) / p_all(x) − 1)², then
 * normalised to sum to 1 over the parameters.
 */
import { createRng } from '../rng.ts'
import type { Parameter, ParamValue } from '../search-space.ts'

export interface ImportanceTrial {
  readonly params: Readonly<Record<string, ParamValue | boolean>>
  /** Finite. */
  readonly objective: number
}

export interface PedAnovaOptions {
  readonly minimize: boolean
  /** Share of the trials that count as top; default 0.1 as in the paper. */
  readonly quantile?: number
  /** At least this many top trials; default 2. */
  readonly minTop?: number
  /** Grid points per numeric parameter; default 50. */
  readonly gridSize?: number
  /** Above this many trials, a seeded random subset of this size is used; default 50,000. */
  readonly maxTrials?: number
  readonly seed?: number
}

export interface PedAnovaResult {
  /** Trials the estimate used (after the cap). */
  readonly trials: number
  /** Of which in the top quantile (ties with the cut-off included). */
  readonly topTrials: number
  /** The objective value at the cut-off: the top trials are at least this good. */
  readonly threshold: number
  /** In the order of the parameters given. */
  readonly parameters: readonly { readonly name: string; readonly importance: number; readonly divergence: number }[]
}

/** Fewer finished trials than this leave no room for a top quantile to differ from the rest. */
export const PED_ANOVA_MIN_TRIALS = 5

const PRIOR_WEIGHT = 1

export function pedAnova(parameters: readonly Parameter[], input: readonly ImportanceTrial[], options: PedAnovaOptions): PedAnovaResult | undefined {
  const trials = capTrials(input, options.maxTrials ?? 50_000, options.seed ?? 0)
  if (trials.length < PED_ANOVA_MIN_TRIALS) return undefined
  const sign = options.minimize ? 1 : -1
  const sorted = trials.map((t) => sign * t.objective).sort((a, b) => a - b)
  const k = Math.min(trials.length - 1, Math.max(options.minTop ?? 2, Math.ceil((options.quantile ?? 0.1) * trials.length)))
  const cut = sorted[k - 1]!
  const top = trials.filter((t) => sign * t.objective <= cut)
  const gridSize = options.gridSize ?? 50
  const divergences = parameters.map((p) => {
    const all = trials.map((t) => t.params[p.name])
    const best = top.map((t) => t.params[p.name])
    const [pAll, pTop] = p.type === 'double' || p.type === 'int'
      ? [numericDensity(p, all, gridSize), numericDensity(p, best, gridSize)]
      : [countDensity(choicesOf(p), all), countDensity(choicesOf(p), best)]
    let d = 0
    for (let j = 0; j < pAll.length; j++) d += pAll[j]! * (pTop[j]! / pAll[j]! - 1) ** 2
    return d
  })
  const total = divergences.reduce((a, b) => a + b, 0)
  return {
    trials: trials.length,
    topTrials: top.length,
    threshold: sign * cut,
    parameters: parameters.map((p, i) => ({ name: p.name, divergence: divergences[i]!, importance: total > 0 ? divergences[i]! / total : 0 })),
  }
}

function capTrials(trials: readonly ImportanceTrial[], max: number, seed: number): readonly ImportanceTrial[] {
  if (trials.length <= max) return trials
  const rng = createRng(seed)
  const copy = [...trials]
  // A partial Fisher-Yates: the first `max` are a uniform sample, the same one for the same seed.
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(copy.length - i)
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy.slice(0, max)
}

function choicesOf(p: Parameter): readonly (string | number)[] {
  return p.type === 'categorical' || p.type === 'discrete' ? p.choices : []
}

/** Counts per choice with the prior spread over the choices; values outside the choices are left out. */
function countDensity(choices: readonly (string | number)[], values: readonly (ParamValue | boolean | undefined)[]): Float64Array {
  const keys = choices.length > 0 ? choices.map(String) : [...new Set(values.filter((v) => v !== undefined).map(String))].sort()
  const index = new Map(keys.map((k, i) => [k, i]))
  const counts = new Float64Array(Math.max(1, keys.length)).fill(PRIOR_WEIGHT / Math.max(1, keys.length))
  let n = PRIOR_WEIGHT
  for (const v of values) {
    const i = v === undefined ? undefined : index.get(String(v))
    if (i === undefined) continue
    counts[i]! += 1
    n += 1
  }
  return counts.map((c) => c / n)
}

function numericDensity(p: Parameter & { type: 'double' | 'int' }, values: readonly (ParamValue | boolean | undefined)[], gridSize: number): Float64Array {
  const log = p.distribution === 'logUniform' || p.distribution === 'logNormal'
  const scale = (v: number) => (log ? Math.log(v) : v)
  let lo = scale(p.min)
  let hi = scale(p.max)
  const xs: number[] = []
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v) && (!log || v > 0)) xs.push(scale(v))
  // A normal distribution has no hard bounds: widen to the values actually tried.
  for (const x of xs) {
    if (x < lo) lo = x
    if (x > hi) hi = x
  }
  const steps = p.type === 'int' && !log && hi - lo + 1 <= gridSize ? Math.max(1, Math.round(hi - lo) + 1) : gridSize
  const width = hi > lo ? (hi - lo) / Math.max(1, steps - 1) : 1
  // Positions in grid units: the kernel and Scott's rule work there, so every scale looks alike.
  const at = xs.map((x) => (hi > lo ? (x - lo) / width : 0))
  const sigma = Math.max(0.5, scottBandwidth(at))
  const mass = new Float64Array(steps).fill(PRIOR_WEIGHT / steps)
  const counts = new Float64Array(steps)
  for (const u of at) counts[Math.min(steps - 1, Math.max(0, Math.round(u)))]! += 1
  // Trials are binned to grid points first, so the cost is steps², not trials × steps.
  const kernel = new Float64Array(steps)
  for (let b = 0; b < steps; b++) {
    if (counts[b] === 0) continue
    let sum = 0
    for (let j = 0; j < steps; j++) sum += (kernel[j] = Math.exp(-0.5 * ((j - b) / sigma) ** 2))
    for (let j = 0; j < steps; j++) mass[j]! += (counts[b]! * kernel[j]!) / sum
  }
  const n = xs.length + PRIOR_WEIGHT
  return mass.map((m) => m / n)
}

/** 1.059 · min(std, IQR / 1.34) · n^(-1/5); 0 for fewer than two values. */
function scottBandwidth(xs: readonly number[]): number {
  const n = xs.length
  if (n < 2) return 0
  const mean = xs.reduce((a, b) => a + b, 0) / n
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1))
  const sorted = [...xs].sort((a, b) => a - b)
  const q = (f: number) => sorted[Math.min(n - 1, Math.floor(f * (n - 1)))]!
  const iqr = q(0.75) - q(0.25)
  const spread = iqr > 0 ? Math.min(std, iqr / 1.34) : std
  return 1.059 * spread * n ** -0.2
}
