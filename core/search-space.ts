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
  /**
   * The list's entries as written (`"0.10"`, `"1e-3"`), by index of `choices`; present only when
   * one of them prints differently from its number. Algorithms work on `choices`; a trial is
   * handed the written text (formatAssignment), as Katib hands it the list's string.
   */
  readonly written?: readonly string[]
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

/**
 * A trial's value of one parameter as the trial receives it (template placeholders, Katib's
 * parameterAssignments): a discrete value as its feasibleSpace.list entry is written, anything
 * else as formatParamValue prints it. A parameter outside the space prints as formatParamValue.
 */
export function formatAssignment(parameter: Parameter | undefined, value: ParamValue): string {
  if (parameter?.type === 'discrete' && parameter.written && typeof value === 'number') {
    let at = parameter.choices.indexOf(value)
    // A value that went through arithmetic (a snap, a JSON round trip) matches as Katib prints it.
    if (at < 0) at = parameter.choices.findIndex((c) => formatParamValue(c) === formatParamValue(value))
    const text = at < 0 ? undefined : parameter.written[at]
    if (text !== undefined) return text
  }
  return formatParamValue(value)
}

/**
 * formatAssignment for every parameter of a trial, keyed by name, in the space's order (the
 * spec's), then any other the trial carries: params read back from jsonb come in jsonb's key
 * order (shortest name first), which no user wrote.
 */
export function formatAssignments(space: SearchSpace, params: Params): Record<string, string> {
  const byName = new Map(space.map((p) => [p.name, p]))
  return Object.fromEntries(inSpaceOrder(space, params).map(([name, value]) => [name, formatAssignment(byName.get(name), value)]))
}

/** A trial's params as [name, value] pairs in the space's order, then the others as they come. */
export function inSpaceOrder<T>(space: SearchSpace, params: Readonly<Record<string, T>>): [string, T][] {
  const known = space.filter((p) => Object.hasOwn(params, p.name)).map((p): [string, T] => [p.name, params[p.name]!])
  const named = new Set(space.map((p) => p.name))
  return [...known, ...Object.entries(params).filter(([name]) => !named.has(name))]
}
