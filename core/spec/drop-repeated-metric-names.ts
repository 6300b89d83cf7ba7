/**
 * `additionalMetricNames` is a set in Katib's API, but its CRD does not enforce that and its
 * webhook does not check it, so a repeated name is accepted there and collected once. Here the
 * repeat is removed before anything reads the list (collectors, trial tables, the sidecar's
 * arguments all expect each name once), with a warning at its position. Mutates `raw`, which must
 * be the caller's private copy; the objective's own name among them stays an error (Katib's).
 */
import type { SpecIssue } from '../errors.ts'
import { joinPointer } from './json-pointer.ts'
import { field, isRecord } from './raw-json.ts'

export function dropRepeatedMetricNames(raw: unknown): SpecIssue[] {
  const objective = field(field(raw, 'spec'), 'objective')
  if (!isRecord(objective) || !Array.isArray(objective.additionalMetricNames)) return []
  const names: unknown[] = objective.additionalMetricNames
  const warnings: SpecIssue[] = []
  const seen = new Set<string>()
  const kept = names.filter((name, i) => {
    if (typeof name !== 'string' || name === '' || !seen.has(name)) {
      if (typeof name === 'string') seen.add(name)
      return true
    }
    warnings.push({ path: joinPointer('/spec/objective/additionalMetricNames', i), message: `metric "${name}" is listed twice; the repeat is ignored (remove it)` })
    return false
  })
  objective.additionalMetricNames = kept
  return warnings
}
