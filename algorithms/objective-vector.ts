/**
 * How the multi-objective algorithms read a trial's outcome (issue 19): the objectives as a
 * vector to minimise, and the constraints as one total violation (Optuna's convention: the
 * sum of the broken constraints' violations, 0 when every one holds).
 */
import type { TrialSnapshot } from '../core/trial.ts'
import type { SuggestRequest } from './suggester.ts'

/** +1 per minimised objective, −1 per maximised one; one entry for a single-objective request. */
export function objectiveSigns(request: Pick<SuggestRequest, 'direction' | 'directions'>): number[] {
  const directions = request.directions !== undefined && request.directions.length >= 2 ? request.directions : [request.direction]
  return directions.map((d) => (d === 'maximize' ? -1 : 1))
}

/**
 * A succeeded trial's objectives, each turned to be minimised; undefined unless all are finite.
 * With several objectives they come from `values` (spec order), with one from `objective`.
 */
export function minimisedVector(trial: TrialSnapshot, signs: readonly number[]): number[] | undefined {
  const raw = signs.length === 1 ? (trial.objective === undefined ? undefined : [trial.objective]) : trial.values
  if (raw === undefined || raw.length < signs.length) return undefined
  const vector = signs.map((sign, j) => sign * raw[j]!)
  return vector.every(Number.isFinite) ? vector : undefined
}

/**
 * The sum of the broken constraints' violations (a NaN counts as broken without bound); 0 when
 * every constraint holds or the trial carries no violations to read.
 */
export function totalViolation(violations: readonly number[] | undefined): number {
  let total = 0
  for (const v of violations ?? []) total += Number.isNaN(v) ? Infinity : Math.max(0, v)
  return total
}
