/**
 * Search-space rules: Katib's webhook checks (type, distribution, which feasibleSpace fields a
 * type may have) plus the ones it leaves to the suggestion services, which only fail after the
 * experiment has started: bounds must parse, min <= max, step in range, lists non-empty.
 */
import type { SpecIssue } from '../errors.ts'
import type { ParameterSpec } from './experiment-schema.ts'
import { joinPointer } from './json-pointer.ts'
import { parseKatibNumber } from './parse-katib-number.ts'
import { showValue } from './show-value.ts'

/** Tolerance for `step <= max - min`, since e.g. 0.3 - 0.1 is 0.19999999999999998. */
const EPSILON = 1e-9

/** `wellFormed` skips the parameters with structural issues (already reported); default none. */
export function validateParameters(parameters: readonly ParameterSpec[], base: string, issues: SpecIssue[], wellFormed: (path: string) => boolean = () => true): void {
  const firstIndex = new Map<string, number>()
  parameters.forEach((parameter, i) => {
    const at = joinPointer(base, i)
    if (!wellFormed(at)) return
    if (parameter.name === '') {
      issues.push({ path: joinPointer(at, 'name'), message: 'parameter name is empty; give every parameter a non-empty name' })
    } else if (firstIndex.has(parameter.name)) {
      const first = joinPointer(base, firstIndex.get(parameter.name)!)
      issues.push({ path: joinPointer(at, 'name'), message: `parameter name "${parameter.name}" is already used by ${first}; parameter names must be unique` })
    } else {
      firstIndex.set(parameter.name, i)
    }
    if (parameter.parameterType === 'int' || parameter.parameterType === 'double') validateNumeric(parameter, joinPointer(at, 'feasibleSpace'), issues)
    else validateListed(parameter, joinPointer(at, 'feasibleSpace'), issues)
  })
}

function validateNumeric(parameter: ParameterSpec, at: string, issues: SpecIssue[]): void {
  const space = parameter.feasibleSpace
  const type = parameter.parameterType
  const a = type === 'int' ? 'an int' : 'a double'
  const integer = type === 'int'
  if (space.list !== undefined && space.list.length > 0) {
    issues.push({ path: joinPointer(at, 'list'), message: `list ${showValue(space.list)} is not allowed for ${a} parameter; give min and max instead, or make the parameter categorical or discrete` })
  }
  const bound = (key: 'min' | 'max' | 'step'): number | undefined => {
    const text = space[key]
    if (text === undefined || text === '') {
      if (key !== 'step') issues.push({ path: joinPointer(at, key), message: `${key} is missing; ${a} parameter needs both min and max` })
      return undefined
    }
    const value = parseKatibNumber(text, integer)
    if (value === undefined) {
      const right = integer ? 'a whole number such as "1"' : 'a decimal number such as "0.01" or "1e-3"'
      issues.push({ path: joinPointer(at, key), message: `${key} ${showValue(text)} is not ${integer ? 'a whole number' : 'a number'}; ${a} parameter needs ${right}` })
    }
    return value
  }
  const min = bound('min')
  const max = bound('max')
  const step = bound('step')
  if (min !== undefined && max !== undefined && min > max) {
    issues.push({ path: joinPointer(at, 'min'), message: `min ${showValue(space.min)} is greater than max ${showValue(space.max)}; min must be <= max` })
  }
  if (step !== undefined) {
    if (step <= 0) {
      issues.push({ path: joinPointer(at, 'step'), message: `step ${showValue(space.step)} is not positive; step must be > 0` })
    } else if (min !== undefined && max !== undefined && min < max && step > (max - min) * (1 + EPSILON)) {
      issues.push({ path: joinPointer(at, 'step'), message: `step ${showValue(space.step)} is larger than the range max - min = ${Number((max - min).toPrecision(12))}; step must be <= max - min` })
    }
  }
  const distribution = space.distribution
  if ((distribution === 'logUniform' || distribution === 'logNormal') && min !== undefined && min <= 0) {
    issues.push({ path: joinPointer(at, 'min'), message: `min ${showValue(space.min)} is not positive, but distribution ${distribution} samples the logarithm; min must be > 0` })
  }
}

function validateListed(parameter: ParameterSpec, at: string, issues: SpecIssue[]): void {
  const space = parameter.feasibleSpace
  const type = parameter.parameterType
  for (const key of ['min', 'max', 'step'] as const) {
    if (space[key] !== undefined && space[key] !== '') {
      issues.push({ path: joinPointer(at, key), message: `${key} ${showValue(space[key])} is not allowed for a ${type} parameter; list its values in feasibleSpace.list instead` })
    }
  }
  const list = space.list ?? []
  if (list.length === 0) {
    issues.push({ path: joinPointer(at, 'list'), message: `list is ${space.list === undefined ? 'missing' : 'empty'}; a ${type} parameter needs at least one value in feasibleSpace.list` })
  }
  const seen = new Set<string>()
  list.forEach((value, j) => {
    if (seen.has(value)) issues.push({ path: joinPointer(at, 'list', j), message: `value ${showValue(value)} appears more than once; list values must be unique` })
    seen.add(value)
    if (type === 'discrete' && parseKatibNumber(value) === undefined) {
      issues.push({ path: joinPointer(at, 'list', j), message: `value ${showValue(value)} is not a number; discrete values must be numbers (use a categorical parameter for other values)` })
    }
  })
}
