/**
 * Known parameter sets tried first (Optuna's `enqueue_trial`), as a Tunewell extension Katib's
 * tools ignore: the annotation `tunewell.dev/enqueue-trials`, a JSON list of objects that give
 * every parameter a value (`'[{"lr": 0.05, "optimizer": "adam"}]'`). Trial n, for n below the
 * list's length, runs set n instead of the algorithm's suggestion; the algorithm then sees
 * those trials in its history like its own. Checked against the search space when the file is
 * validated, each problem at its JSON path inside the annotation.
 */
import type { SpecIssue } from '../errors.ts'
import type { Parameter, ParamValue, Params, SearchSpace } from '../search-space.ts'
import type { Experiment } from './experiment-schema.ts'
import { joinPointer } from './json-pointer.ts'
import { showValue } from './show-value.ts'

export const ENQUEUE_ANNOTATION = 'tunewell.dev/enqueue-trials'
const AT = joinPointer('/metadata/annotations', ENQUEUE_ANNOTATION)

/** The queued sets as the trials get them, and the problems found (then `params` is empty). */
export function enqueuedTrials(experiment: Pick<Experiment, 'metadata'>, space: SearchSpace): { readonly params: readonly Params[]; readonly issues: readonly SpecIssue[] } {
  const text = experiment.metadata?.annotations?.[ENQUEUE_ANNOTATION]
  if (text === undefined) return { params: [], issues: [] }
  let list: unknown
  try {
    list = JSON.parse(text)
  } catch (error) {
    return { params: [], issues: [{ path: AT, message: `${ENQUEUE_ANNOTATION} is not JSON (${(error as Error).message}); write a list of parameter sets, e.g. '[{"lr": 0.05}]'` }] }
  }
  if (!Array.isArray(list)) return { params: [], issues: [{ path: AT, message: `${ENQUEUE_ANNOTATION} must be a JSON list of parameter sets, e.g. '[{"lr": 0.05}]'` }] }
  const issues: SpecIssue[] = []
  const params: Params[] = []
  list.forEach((item: unknown, i) => {
    const at = joinPointer(AT, i)
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      issues.push({ path: at, message: `parameter set ${i} must be an object of parameter names and values, got ${showValue(item)}` })
      return
    }
    const given = item as Record<string, unknown>
    const set: Record<string, ParamValue> = {}
    for (const parameter of space) {
      if (!(parameter.name in given)) {
        issues.push({ path: at, message: `parameter set ${i} gives no value for "${parameter.name}"; every parameter needs one` })
        continue
      }
      const value = checkValue(parameter, given[parameter.name])
      if (typeof value === 'object') issues.push({ path: joinPointer(at, parameter.name), message: value.problem })
      else set[parameter.name] = value
    }
    for (const name of Object.keys(given)) {
      if (!space.some((p) => p.name === name)) {
        issues.push({ path: joinPointer(at, name), message: `"${name}" is not a parameter of this experiment; the parameters are ${space.map((p) => p.name).join(', ')}` })
      }
    }
    params.push(set)
  })
  return issues.length > 0 ? { params: [], issues } : { params, issues }
}

/** The value in the parameter's feasible space (numbers may be written as strings, as Katib's are), or why not. */
export function checkValue(parameter: Parameter, raw: unknown): ParamValue | { problem: string } {
  if (parameter.type === 'categorical') {
    return typeof raw === 'string' && parameter.choices.includes(raw)
      ? raw
      : { problem: `${showValue(raw)} is not one of ${parameter.name}'s values (${parameter.choices.join(', ')})` }
  }
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN
  if (!Number.isFinite(value)) return { problem: `${showValue(raw)} is not a number; ${parameter.name} is ${parameter.type}` }
  if (parameter.type === 'discrete') {
    return parameter.choices.includes(value) ? value : { problem: `${showValue(raw)} is not in ${parameter.name}'s list (${parameter.choices.join(', ')})` }
  }
  if (parameter.type === 'int' && !Number.isInteger(value)) return { problem: `${showValue(raw)} is not a whole number; ${parameter.name} is int` }
  if (value < parameter.min || value > parameter.max) {
    return { problem: `${showValue(raw)} is outside ${parameter.name}'s range ${parameter.min} to ${parameter.max}` }
  }
  return value
}
