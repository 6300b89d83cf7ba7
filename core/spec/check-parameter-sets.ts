import type { SpecIssue } from '../errors.ts'
import type { ParamValue, Params, SearchSpace } from '../search-space.ts'
import { checkValue } from './enqueued-trials.ts'
import { joinPointer } from './json-pointer.ts'
import { showValue } from './show-value.ts'

/**
 * Parameter sets given to be tried (`POST .../trials:enqueue`), checked as the annotation
 * tunewell.dev/enqueue-trials is: every parameter given a value inside its feasible space, no
 * other names. Each problem at its JSON path under `at` (`/params/1/lr`). `params` is empty
 * when there is any problem: a request is taken whole or not at all.
 */
export function checkParameterSets(sets: unknown, space: SearchSpace, at: string): { readonly params: readonly Params[]; readonly issues: readonly SpecIssue[] } {
  if (!Array.isArray(sets) || sets.length === 0) return { params: [], issues: [{ path: at, message: 'give a non-empty list of parameter sets, e.g. [{"lr": 0.05}]' }] }
  const issues: SpecIssue[] = []
  const params: Params[] = []
  sets.forEach((item: unknown, i) => {
    const path = joinPointer(at, i)
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      issues.push({ path, message: `parameter set ${i} must be an object of parameter names and values, got ${showValue(item)}` })
      return
    }
    const given = item as Record<string, unknown>
    const set: Record<string, ParamValue> = {}
    for (const parameter of space) {
      if (!(parameter.name in given)) {
        issues.push({ path, message: `parameter set ${i} gives no value for "${parameter.name}"; every parameter needs one` })
        continue
      }
      const value = checkValue(parameter, given[parameter.name])
      if (typeof value === 'object') issues.push({ path: joinPointer(path, parameter.name), message: value.problem })
      else set[parameter.name] = value
    }
    for (const name of Object.keys(given)) {
      if (!space.some((p) => p.name === name)) {
        issues.push({ path: joinPointer(path, name), message: `"${name}" is not a parameter of this experiment; the parameters are ${space.map((p) => p.name).join(', ')}` })
      }
    }
    params.push(set)
  })
  return issues.length > 0 ? { params: [], issues } : { params, issues }
}
