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
