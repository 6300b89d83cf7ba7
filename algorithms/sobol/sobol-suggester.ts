/**
 * Quasi-random search along a scrambled Sobol' sequence (Sobol' 1967; direction numbers from
 * Joe & Kuo 2008; random digital shift scrambling, see `sobol-sequence.ts`), as Katib's
 * `sobol` (goptuna's Sobol sampler). Low-discrepancy points fill the space more evenly than
 * independent random draws: the first 2^k trials hit every 1/2^k slice of each parameter once.
 *
 * Trial n (counting every trial so far, in any state) gets point n of the sequence, so repeated
 * calls continue the sequence and a batch gets consecutive, distinct points. One scramble is
 * used for the whole experiment: its seed is drawn from `request.rng` on the first call and
 * carried in `SuggestResult.state` after that.
 *
 * Mapping of a point's coordinate u ∈ [0, 1) to a parameter:
 * - uniform: linear on [min, max]; logUniform: linear in log space.
 * - normal: μ + σ·Φ⁻¹(u) with μ = (min+max)/2 and σ = (max−min)/6 (as `sample-parameter.ts`),
 *   clamped to the bounds (so the outer ~0.3 % of u lands on min or max); logNormal the same
 *   in log space.
 * - With a step (ints: step 1), the value on the continuous range extended by half a step each
 *   side, rounded to the nearest grid point: equal-width cells, as `sample-parameter.ts` does.
 * - categorical and discrete: choice ⌊u·n⌋.
 *
 * Deviation from Katib: goptuna's Sobol sampler ignores the declared distributions and maps
 * every parameter linearly (logUniform included); we honour them, as random search does. Like
 * goptuna, we do not skip points already tried, which on small finite spaces repeats values.
 */
import { probit } from 'simple-statistics'
import { createRng } from '../../core/rng.ts'
import type { NumericParameter, Parameter, ParamValue, Params, SearchSpace } from '../../core/search-space.ts'
import type { AlgorithmDefinition, SettingIssue } from '../algorithm-definition.ts'
import { numericFromDraw } from '../sample-parameter.ts'
import { samplingSpaceIssues } from '../sampling-space-issues.ts'
import { randomStateSetting } from '../seed-from-settings.ts'
import type { SuggestRequest, SuggestResult, Suggester } from '../suggester.ts'
import { SOBOL_MAX_DIMENSIONS, SOBOL_MAX_INDEX, sobolPoint } from './sobol-sequence.ts'

export type SobolSettings = { readonly random_state?: number }

/** What `suggest` keeps between calls: the seed of the digital shift. */
export interface SobolState {
  readonly scrambleSeed: number
}

// Φ⁻¹ is evaluated on u kept this far from 0 and 1, so it is always finite.
const PROBIT_EPSILON = 2 ** -33

export class SobolSuggester implements Suggester {
  suggest(request: SuggestRequest): SuggestResult {
    const { space } = request
    const scrambleSeed = readState(request.state)?.scrambleSeed ?? request.rng.int(2 ** 32)
    const shift = sobolShift(scrambleSeed, space.length)
    const start = request.trialCount ?? request.trials.length
    const suggestions: Params[] = []
    for (let i = 0; i < request.count && start + i <= SOBOL_MAX_INDEX; i++) {
      suggestions.push(paramsFromUnit(space, sobolPoint(start + i, space.length, shift)))
    }
    const state: SobolState = { scrambleSeed }
    return suggestions.length < request.count ? { suggestions, state, exhausted: true } : { suggestions, state }
  }
}

/** The per-dimension 32-bit XOR words of the digital shift for a scramble seed. */
export function sobolShift(scrambleSeed: number, dimensions: number): number[] {
  const rng = createRng(scrambleSeed)
  return Array.from({ length: dimensions }, () => rng.int(2 ** 32))
}

/** One value per parameter from a point of the unit cube, keys in space order. */
export function paramsFromUnit(space: SearchSpace, point: readonly number[]): Params {
  const params: Record<string, ParamValue> = {}
  space.forEach((p, d) => { params[p.name] = parameterFromUnit(p, point[d]!) })
  return params
}

/** The value of `p` at coordinate `u` ∈ [0, 1) (see the header for each distribution). */
export function parameterFromUnit(p: Parameter, u: number): ParamValue {
  if (p.type === 'categorical' || p.type === 'discrete') {
    if (p.choices.length === 0) throw new RangeError(`parameter "${p.name}" has no values to choose from`)
    return p.choices[Math.min(Math.floor(u * p.choices.length), p.choices.length - 1)]!
  }
  return numericFromDraw(p, (low, high) => continuousFromUnit(p, low, high, u))
}

/** Inverse CDF of the parameter's distribution on [low, high]; normals clamped to it. */
function continuousFromUnit(p: NumericParameter, low: number, high: number, u: number): number {
  switch (p.distribution) {
    case 'uniform':
      return low + (high - low) * u
    case 'logUniform':
      return Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * u)
    case 'normal':
      return clamp((p.min + p.max) / 2 + ((p.max - p.min) / 6) * standardNormalQuantile(u), low, high)
    case 'logNormal': {
      const logMin = Math.log(p.min)
      const logMax = Math.log(p.max)
      const logX = (logMin + logMax) / 2 + ((logMax - logMin) / 6) * standardNormalQuantile(u)
      return Math.exp(clamp(logX, Math.log(low), Math.log(high)))
    }
  }
}

function standardNormalQuantile(u: number): number {
  return probit(clamp(u, PROBIT_EPSILON, 1 - PROBIT_EPSILON))
}

function clamp(x: number, low: number, high: number): number {
  return Math.min(Math.max(x, low), high)
}

function readState(state: unknown): SobolState | undefined {
  if (typeof state !== 'object' || state === null) return undefined
  const seed = (state as Record<string, unknown>)['scrambleSeed']
  return typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32 ? { scrambleSeed: seed } : undefined
}

function sobolSpaceIssues(space: SearchSpace): SettingIssue[] {
  const issues = samplingSpaceIssues(space)
  if (space.length > SOBOL_MAX_DIMENSIONS) {
    issues.push({
      parameter: space[SOBOL_MAX_DIMENSIONS]!.name,
      message: `sobol supports at most ${SOBOL_MAX_DIMENSIONS} parameters, got ${space.length}; use random for larger spaces`,
    })
  }
  return issues
}

export const sobolAlgorithm: AlgorithmDefinition<SobolSettings> = {
  name: 'sobol',
  // It never reads objectives, so any number of them is fine.
  multiObjective: true,
  description: 'Scrambled Sobol quasi-random sequence: evenly spread points, honouring each parameter\'s distribution.',
  settings: [randomStateSetting('Seed of the scramble; the same spec and random_state give the same trials.')],
  check: (space) => sobolSpaceIssues(space),
  create: () => new SobolSuggester(),
  usesHistory: () => false,
}
