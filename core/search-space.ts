/**
 * The search space in the form algorithms consume: an ordered list of named parameters.
 * Built from Katib's `spec.parameters` by `core/spec/to-search-space.ts`; Katib's string
 * bounds are parsed once there, so nothing downstream handles strings-as-numbers.
 */
export type Scale = 'uniform' | 'logUniform' | 'normal' | 'logNormal'

export interface NumericParameter {
  readonly name: string
  readonly type: 'double' | 'int'
  readonly min: number
  readonly max: number
  /** Grid spacing; ints without a step move by 1. */
  readonly step?: number
  readonly distribution: Scale
}

export interface CategoricalParameter {
  readonly name: string
  readonly type: 'categorical'
  readonly choices: readonly string[]
}

/** Katib `discrete`: an ordered list of numbers (written as strings in YAML). */
export interface DiscreteParameter {
  readonly name: string
  readonly type: 'discrete'
  readonly choices: readonly number[]
}

export type Parameter = NumericParameter | CategoricalParameter | DiscreteParameter
export type SearchSpace = readonly Parameter[]

export type ParamValue = number | string
export type Params = Readonly<Record<string, ParamValue>>

/** Katib passes every assignment as a string; numbers are printed without exponent noise. */
export function formatParamValue(value: ParamValue): string {
  if (typeof value === 'string') return value
  if (Number.isInteger(value)) return String(value)
  return String(Number(value.toPrecision(15)))
}
