import { formatAssignment, formatValue } from './format.ts'
import type { ParameterInfo, SpecInfo } from './spec-info.ts'

/**
 * A trial's value of a parameter as the table shows it: a discrete value as its
 * feasibleSpace.list entry is written ("0.10", "1e-3"), which is what the trial received; other
 * numbers shortened. The stored value is the number: its entry is the one that reads as it.
 */
export function formatParameterValue(parameter: ParameterInfo, value: number | string | boolean | null | undefined): string {
  if (value === null || value === undefined) return formatValue(undefined)
  if (parameter.type === 'discrete' && typeof value === 'number') {
    const written = parameter.written?.find((text) => text.trim() !== '' && Number(text) === value)
    return written ?? String(value)
  }
  return formatValue(value)
}

/** A Katib parameterAssignment (text): a discrete one as the trial got it, other numbers shortened. */
export function formatAssignmentOf(info: SpecInfo, name: string, value: string): string {
  return info.parameters.find((p) => p.name === name)?.type === 'discrete' ? value : formatAssignment(value)
}

/**
 * The categories of a parameter's chart axis: a categorical's values in spec order, a discrete
 * one's list as written ("0.10", "1e-3") in numeric order, so that axis labels and tooltips read
 * as the table does; undefined where the axis is numeric.
 */
export function axisCategories(parameter: ParameterInfo): readonly string[] | undefined {
  if (parameter.values) return parameter.values
  if (parameter.type !== 'discrete' || !parameter.written) return undefined
  const written = parameter.written.filter((text) => text.trim() !== '' && Number.isFinite(Number(text)))
  return [...new Set(written)].sort((a, b) => Number(a) - Number(b))
}

/** A trial's value where a chart plots it: on a discrete parameter's axis, the entry as written. */
export function chartValue(parameter: ParameterInfo, value: number | string | boolean | null | undefined): number | string | boolean | null | undefined {
  return parameter.type === 'discrete' && typeof value === 'number' ? formatParameterValue(parameter, value) : value
}
