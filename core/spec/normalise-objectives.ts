import { field, isRecord, list } from './raw-json.ts'

/**
 * The `objectives` extension before the schema sees it: a direction is case-insensitive
 * (OptimizationJob writes `Minimize`), and a file that lists only `objectives` gets its first
 * entry as objectiveMetricName/type, so Katib's tools and currentOptimalTrial see the first
 * objective. Mutates `raw`, which must be the caller's private copy.
 */
export function normaliseObjectives(raw: unknown): void {
  const objective = field(field(raw, 'spec'), 'objective')
  if (!isRecord(objective) || !Array.isArray(objective.objectives)) return
  for (const entry of list(objective.objectives)) {
    if (isRecord(entry) && typeof entry.direction === 'string') {
      const lower = entry.direction.toLowerCase()
      if (lower === 'minimize' || lower === 'maximize') entry.direction = lower
    }
  }
  const first = objective.objectives[0]
  if (objective.objectiveMetricName !== undefined || !isRecord(first)) return
  if (typeof first.metric === 'string') objective.objectiveMetricName = first.metric
  if (objective.type === undefined && (first.direction === 'minimize' || first.direction === 'maximize')) objective.type = first.direction
}
