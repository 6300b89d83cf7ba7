import type { Rng } from '../../core/rng.ts'
import type { Parameter, ParamValue, Params, SearchSpace } from '../../core/search-space.ts'
import { numericGrid } from '../numeric-grid.ts'
import { numericFromDraw, sampleParameter } from '../sample-parameter.ts'

/** Jaderberg et al.'s perturbation factors for a continuous hyperparameter. */
export const PERTURB_FACTORS = [0.8, 1.2] as const

/**
 * PBT's explore step on a copied configuration: each parameter is, with `resampleProbability`,
 * drawn afresh from its prior; otherwise perturbed: numbers multiplied by 0.8 or 1.2 (a zero moves
 * by 20 % of its range instead, since multiplying it does nothing), snapped to the parameter's
 * grid and bounds, and moved at least one grid step when rounding would undo the move (an int at
 * 2 would stay 2 forever); discrete values move to a neighbouring value; categoricals, which have
 * no neighbourhood, change only by resampling.
 */
export function exploreParams(space: SearchSpace, params: Params, resampleProbability: number, rng: Rng): Params {
  const out: Record<string, ParamValue> = {}
  for (const p of space) {
    const value = params[p.name]
    if (value === undefined || rng.next() < resampleProbability) out[p.name] = sampleParameter(p, rng)
    else out[p.name] = perturb(p, value, rng)
  }
  return out
}

function perturb(p: Parameter, value: ParamValue, rng: Rng): ParamValue {
  if (p.type === 'categorical') return value
  const up = rng.next() >= 0.5
  if (p.type === 'discrete') {
    const sorted = [...p.choices].sort((a, b) => a - b)
    const at = sorted.indexOf(Number(value))
    if (at < 0) return value
    return sorted[Math.min(Math.max(at + (up ? 1 : -1), 0), sorted.length - 1)]!
  }
  const v = Number(value)
  const factor = PERTURB_FACTORS[up ? 1 : 0]
  const moved = v !== 0 ? v * factor : v + (factor - 1) * (p.max - p.min)
  const snapped = numericFromDraw(p, () => moved)
  const step = numericGrid(p)?.step
  if (snapped !== v || step === undefined) return snapped
  return numericFromDraw(p, () => v + (moved > v ? step : -step))
}
