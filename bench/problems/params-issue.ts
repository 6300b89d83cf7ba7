import type { ParamValue, Params } from '../../core/search-space.ts'
import type { Problem, ProblemParam } from './problem.ts'

// Relative slack for "on the step grid": low + k·step is not exact in doubles.
const GRID_TOLERANCE = 1e-9

/**
 * Why a suggestion is not a point of the problem's domain (missing or extra parameter, out of
 * bounds, off the step grid, unknown choice), or undefined when it is. The harness checks every
 * suggestion so that an algorithm bug shows up as an error, not as a silently wrong regret.
 */
export function paramsIssue(problem: Pick<Problem, 'params'>, params: Params): string | undefined {
  for (const p of problem.params) {
    if (!Object.hasOwn(params, p.name)) return `parameter "${p.name}" is missing`
    const issue = valueIssue(p, params[p.name]!)
    if (issue) return `parameter "${p.name}" = ${JSON.stringify(params[p.name])}: ${issue}`
  }
  const extra = Object.keys(params).find((name) => !problem.params.some((p) => p.name === name))
  return extra === undefined ? undefined : `unknown parameter "${extra}"`
}

function valueIssue(p: ProblemParam, value: ParamValue): string | undefined {
  if (p.type === 'categorical') return typeof value === 'string' && p.choices.includes(value) ? undefined : `not one of ${p.choices.join(', ')}`
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'not a finite number'
  if (value < p.low || value > p.high) return `outside [${p.low}, ${p.high}]`
  if (p.type === 'int' && !Number.isInteger(value)) return 'not an integer'
  const step = p.step ?? (p.type === 'int' ? 1 : undefined)
  if (step !== undefined) {
    const k = (value - p.low) / step
    if (Math.abs(k - Math.round(k)) > GRID_TOLERANCE * Math.max(1, Math.abs(k))) return `not on the grid ${p.low} + k·${step}`
  }
  return undefined
}
