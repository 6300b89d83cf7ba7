import type { TrialRecord } from '../db/store.ts'

/**
 * Katib's currentOptimalTrial: the best objective among trials that have one. Early-stopped
 * trials keep the value they reached and compete too, as in Katib. Ties go to the earlier trial.
 *
 * An objective reported as text (`metric` in TrialRecord.textMetrics: a DARTS genotype) cannot
 * be compared; as Katib's status_util ("for string metrics values best trial is the latest"),
 * the best is then the latest such trial, by number, among those that succeeded. A numeric
 * objective, where any trial has one, wins over text.
 */
export function bestTrial(trials: readonly TrialRecord[], direction: 'minimize' | 'maximize', metric?: string): TrialRecord | undefined {
  let best: TrialRecord | undefined
  let latestText: TrialRecord | undefined
  for (const t of trials) {
    if (t.state !== 'Succeeded' && t.state !== 'EarlyStopped') continue
    if (t.objective === null || !Number.isFinite(t.objective)) {
      if (metric !== undefined && t.state === 'Succeeded' && t.textMetrics && Object.hasOwn(t.textMetrics, metric)) {
        if (!latestText || t.number > latestText.number) latestText = t
      }
      continue
    }
    if (improves(direction, t.objective, best?.objective ?? undefined)) best = t
  }
  return best ?? latestText
}

/** Whether `value` beats the current best (strictly: ties keep the earlier trial). */
export function improves(direction: 'minimize' | 'maximize', value: number, best: number | undefined): boolean {
  if (!Number.isFinite(value)) return false
  if (best === undefined) return true
  return direction === 'minimize' ? value < best : value > best
}
