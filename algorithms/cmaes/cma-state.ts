/**
 * What the CMA-ES suggester carries between calls in `SuggestResult.state`, as plain JSON: the
 * current run's search distribution and evolution paths (O(d²) numbers), the generation being
 * evaluated (its sampling seed and which trial holds which sample) and the restart bookkeeping.
 * Each call therefore costs one eigendecomposition and a few samples, not a replay of history.
 *
 * Coordinates are those of the unit cube (`unit-cube.ts`). Values are minimisation-signed
 * (negated for maximize). A state that does not parse, or was made for a space with another
 * number of coordinates, is ignored and the suggester starts afresh.
 */

export type Regime = 'large' | 'small'

/** One CMA-ES run, from a (re)start until a stop criterion fires. */
export interface CmaRun {
  /** λ. */
  readonly popsize: number
  readonly mean: readonly number[]
  readonly sigma: number
  /** Covariance matrix C, row-major, symmetric positive definite. */
  readonly cov: readonly (readonly number[])[]
  /** Evolution paths p_c (for C) and p_σ (for σ). */
  readonly pc: readonly number[]
  readonly ps: readonly number[]
  /** Generations completed in this run. */
  readonly generation: number
  /** Best value of this run, and the generation that found it; null before a finite value. */
  readonly best: number | null
  readonly bestGeneration: number
  /** Best value of each recent generation, oldest first (for the tolfun criterion). */
  readonly recentBest: readonly number[]
  /** BIPOP regime this run's evaluations count toward (IPOP and none: always large). */
  readonly regime: Regime
}

/** A point of the current generation that a trial evaluates. */
export interface CmaMember {
  /**
   * Index of the sample in the generation's stream. Absent for a trial of an earlier generation
   * that was still running when that generation was updated: it is injected into this one.
   */
  readonly sample?: number
  /** Number of the trial holding its parameters: a trial handed out for it, or an earlier one with the same parameters. */
  readonly trial: number
}

/** The generation being evaluated. */
export interface CmaGeneration {
  /** xoshiro128** words of the generation's stream: sample k is its k-th draw of d normals. */
  readonly seed: readonly number[]
  /** Samples drawn so far (handed out, matched to an earlier trial, or unused). */
  readonly drawn: number
  readonly members: readonly CmaMember[]
}

export interface CmaesState {
  readonly version: 1
  /** Unit-cube coordinates the state was built for. */
  readonly dimensions: number
  readonly run: CmaRun
  readonly generation: CmaGeneration
  /** Restarts so far (all regimes). */
  readonly restarts: number
  /** BIPOP: restarts made in the large regime, and evaluations spent in each regime. */
  readonly largeRestarts: number
  readonly evaluationsLarge: number
  readonly evaluationsSmall: number
}

/** A run starting at `mean` with C = I and empty paths. */
export function newRun(mean: readonly number[], sigma: number, popsize: number, regime: Regime): CmaRun {
  const d = mean.length
  return {
    popsize,
    mean: [...mean],
    sigma,
    cov: Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))),
    pc: new Array<number>(d).fill(0),
    ps: new Array<number>(d).fill(0),
    generation: 0,
    best: null,
    bestGeneration: 0,
    recentBest: [],
    regime,
  }
}

/** Four non-zero-together uint32 words for a generation's stream. */
export function newGeneration(seed: readonly number[]): CmaGeneration {
  const words = seed.map((w) => w >>> 0)
  if (!words.some((w) => w !== 0)) words[0] = 1
  return { seed: words, drawn: 0, members: [] }
}

/**
 * `value` as it will read back from JSON: −0 becomes 0. Samples are drawn from a run in the
 * call that creates it and again, to check them, from its JSON copy in later calls; both must be
 * bit-identical (a −0 can flip the sign of an infinity inside the eigendecomposition). Every
 * number is finite by construction (the suggester restarts a run that is not).
 */
export function plainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v === 0 ? 0 : v))) as T
}

/** `raw` as a state for `dimensions` coordinates, or undefined if it is anything else. */
export function readCmaesState(raw: unknown, dimensions: number): CmaesState | undefined {
  if (!isRecord(raw) || raw['version'] !== 1 || raw['dimensions'] !== dimensions) return undefined
  const run = readRun(raw['run'], dimensions)
  const generation = readGeneration(raw['generation'])
  const counters = ['restarts', 'largeRestarts', 'evaluationsLarge', 'evaluationsSmall'].map((key) => raw[key])
  if (!run || !generation || !counters.every(isCount)) return undefined
  const [restarts, largeRestarts, evaluationsLarge, evaluationsSmall] = counters as number[]
  return { version: 1, dimensions, run, generation, restarts: restarts!, largeRestarts: largeRestarts!, evaluationsLarge: evaluationsLarge!, evaluationsSmall: evaluationsSmall! }
}

function readRun(raw: unknown, d: number): CmaRun | undefined {
  if (!isRecord(raw)) return undefined
  const { popsize, mean, sigma, cov, pc, ps, generation, best, bestGeneration, recentBest, regime } = raw
  if (!isCount(popsize) || popsize < 2 || !isCount(generation) || !isCount(bestGeneration)) return undefined
  if (!isVector(mean, d) || !isVector(pc, d) || !isVector(ps, d) || !isVector(recentBest)) return undefined
  if (typeof sigma !== 'number' || !(sigma > 0) || !Number.isFinite(sigma)) return undefined
  if (!Array.isArray(cov) || cov.length !== d || !cov.every((row) => isVector(row, d))) return undefined
  const c = cov as number[][]
  for (let i = 0; i < d; i++) {
    if (!(c[i]![i]! > 0)) return undefined
    for (let j = 0; j < i; j++) if (c[i]![j] !== c[j]![i]) return undefined
  }
  if (best !== null && !isFinite(best)) return undefined
  if (regime !== 'large' && regime !== 'small') return undefined
  return { popsize, mean, sigma, cov: c, pc, ps, generation, best, bestGeneration, recentBest, regime }
}

function readGeneration(raw: unknown): CmaGeneration | undefined {
  if (!isRecord(raw)) return undefined
  const { seed, drawn, members } = raw
  if (!Array.isArray(seed) || seed.length !== 4 || !seed.every((w) => isCount(w) && w < 2 ** 32) || seed.every((w) => w === 0)) return undefined
  if (!isCount(drawn) || !Array.isArray(members)) return undefined
  const parsed: CmaMember[] = []
  for (const m of members) {
    if (!isRecord(m) || !isCount(m['trial'])) return undefined
    const sample = m['sample']
    if (sample === undefined) parsed.push({ trial: m['trial'] })
    else if (isCount(sample) && sample < drawn) parsed.push({ sample, trial: m['trial'] })
    else return undefined
  }
  return { seed: seed as number[], drawn, members: parsed }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function isVector(value: unknown, length?: number): value is number[] {
  return Array.isArray(value) && (length === undefined || value.length === length) && value.every(isFinite)
}
