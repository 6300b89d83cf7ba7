/**
 * `spec.nasConfig` as the architecture space algorithms search, expanded as Katib's ENAS service
 * expands it (pkg/suggestion/v1beta1/nas/enas/Operation.py, SearchSpace._parse_operations):
 *
 *  - each operation is multiplied out over its parameters' values (Python's itertools.product,
 *    the last parameter varying fastest), and the results are numbered from 0 in the order the
 *    operations are written: with enas-cpu's operations, convolution (3 filter sizes x 5 filter
 *    counts x 2 strides) is ids 0-29, id 0 being filter_size 3, num_filter 32, stride 1, id 1
 *    the same with stride 2;
 *  - a categorical parameter's values are its list, as strings;
 *  - an int parameter's are Python's `range(min, max + 1, step)`, held as numbers;
 *  - a double parameter's are numpy's `arange(min, max + step, step)` (each value
 *    `min + i * ((min + step) - min)`, as numpy fills it), less a last value above max, printed
 *    as Python prints a float (python-float-repr.ts).
 *
 * Where Katib's service crashes instead, we choose (docs/katib-compatibility.md): an int
 * parameter without a step moves by 1 (Katib: `int("")` fails), a double's last value above max
 * is dropped as Katib meant to (its `del` on a numpy array fails), a discrete parameter counts
 * like a categorical one (Katib leaves it out of the product and then fails on the missing key),
 * and an operation without parameters (DARTS's skip_connection) is one operation with none,
 * as itertools.product of nothing gives one empty combination. nasConfigIssues
 * (nas-config-issues.ts) refuses what cannot be expanded; expandNasConfig expects a config
 * it accepted.
 */
import type { NasConfig, ParameterSpec } from '../spec/experiment-schema.ts'
import { parseKatibNumber } from '../spec/parse-katib-number.ts'
import type { ArchitectureSpace, NasOperation } from './architecture-space.ts'
import { pythonFloatRepr } from './python-float-repr.ts'

/** One parameter's values, as nn_config prints them, and whether they are numbers there. */
export interface OperationParameterValues {
  readonly name: string
  readonly values: readonly string[]
  readonly numeric: boolean
}

export function expandNasConfig(nasConfig: NasConfig): ArchitectureSpace {
  const graph = nasConfig.graphConfig ?? {}
  const operations: NasOperation[] = []
  for (const operation of nasConfig.operations ?? []) {
    const parameters = operationParameterValues(operation.parameters ?? [])
    const numeric = parameters.filter((p) => p.numeric).map((p) => p.name)
    for (const combination of product(parameters.map((p) => p.values))) {
      const params: Record<string, string> = {}
      parameters.forEach((parameter, i) => { params[parameter.name] = combination[i]! })
      operations.push({ id: operations.length, type: operation.operationType, params, ...(numeric.length > 0 ? { numeric } : {}) })
    }
  }
  return {
    numLayers: graph.numLayers ?? 0,
    inputSizes: [...(graph.inputSizes ?? [])],
    outputSizes: [...(graph.outputSizes ?? [])],
    operations,
  }
}

/**
 * How many operations `nasConfig` expands to, counted without listing any value, so that a range
 * of a billion steps is refused (nas-config-issues.ts) rather than built.
 */
export function countNasOperations(nasConfig: NasConfig): number {
  let total = 0
  for (const operation of nasConfig.operations ?? []) {
    const byName = new Map((operation.parameters ?? []).map((p) => [p.name, p]))
    total += [...byName.values()].reduce((n, p) => n * valueCount(p), 1)
  }
  return total
}

function valueCount(parameter: ParameterSpec): number {
  const space = parameter.feasibleSpace
  if (parameter.parameterType === 'categorical' || parameter.parameterType === 'discrete') return space.list?.length ?? 0
  const integer = parameter.parameterType === 'int'
  const min = bound(space.min, integer)
  const max = bound(space.max, integer)
  const step = space.step === undefined || space.step === '' ? (integer ? 1 : 0) : bound(space.step, integer)
  if (!(step > 0) || min > max) return 0
  if (integer) return Math.floor((max - min) / step) + 1
  const length = Math.ceil((max + step - min) / step)
  // The last of numpy's values, as doubleRange computes it, is dropped when above max.
  return length > 0 && arangeValue(min, step, length - 1) > max ? length - 1 : Math.max(length, 0)
}

/**
 * Each parameter's values in Katib's order. A repeated name keeps its first place and its last
 * values, as Katib's dict does (validation refuses repeats anyway).
 */
export function operationParameterValues(parameters: readonly ParameterSpec[]): OperationParameterValues[] {
  const byName = new Map<string, OperationParameterValues>()
  for (const parameter of parameters) byName.set(parameter.name, { name: parameter.name, ...valuesOf(parameter) })
  return [...byName.values()]
}

function valuesOf(parameter: ParameterSpec): { values: string[]; numeric: boolean } {
  const space = parameter.feasibleSpace
  switch (parameter.parameterType) {
    case 'categorical':
    case 'discrete':
      return { values: [...(space.list ?? [])], numeric: false }
    case 'int': {
      const min = bound(space.min, true)
      const max = bound(space.max, true)
      const step = space.step === undefined || space.step === '' ? 1 : bound(space.step, true)
      const values: string[] = []
      if (step > 0) for (let v = min; v <= max; v += step) values.push(String(v))
      return { values, numeric: true }
    }
    case 'double': {
      const min = bound(space.min, false)
      const max = bound(space.max, false)
      const step = space.step === undefined || space.step === '' ? 0 : bound(space.step, false)
      return { values: doubleRange(min, max, step).map(pythonFloatRepr), numeric: true }
    }
  }
}

/** numpy.arange(min, max + step, step), less a last value above max. */
export function doubleRange(min: number, max: number, step: number): number[] {
  if (!(step > 0)) return []
  const stop = max + step
  const length = Math.ceil((stop - min) / step)
  if (!(length > 0)) return []
  const values: number[] = []
  for (let i = 0; i < length; i++) values.push(arangeValue(min, step, i))
  if (values.at(-1)! > max) values.pop()
  return values
}

/** numpy's i-th arange value: start, start + step, then start + i * (second - first). */
function arangeValue(min: number, step: number, i: number): number {
  if (i === 0) return min
  if (i === 1) return min + step
  return min + i * ((min + step) - min)
}

function bound(text: string | undefined, integer: boolean): number {
  const value = text === undefined ? undefined : parseKatibNumber(text, integer)
  if (value === undefined) throw new Error(`nasConfig bound ${JSON.stringify(text)} is not a number; check the experiment with nasConfigIssues before expanding it`)
  return value
}

/** itertools.product: the last list varies fastest; no lists give one empty combination. */
function* product(lists: readonly (readonly string[])[]): Generator<string[]> {
  if (lists.some((list) => list.length === 0)) return
  const index = lists.map(() => 0)
  for (;;) {
    yield index.map((at, i) => lists[i]![at]!)
    let position = lists.length - 1
    while (position >= 0) {
      index[position]!++
      if (index[position]! < lists[position]!.length) break
      index[position] = 0
      position--
    }
    if (position < 0) return
  }
}
