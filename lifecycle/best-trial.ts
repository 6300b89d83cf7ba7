import type { TrialRecord } from '../db/store.ts'

/**
 * Katib's currentOptimalTrial: the best objective among trials that have one. Early-stopped
 * trials keep the value they reached and compete too, as in Katib. Ties go to the earlier trial.
 */
export function bestTrial(trials: readonly TrialRecord[], direction: 'minimize' | 'maximize'): TrialRecord | undefined {
  let best: TrialRecord | undefined
  for (const t of trials) {
    if (t.objective === null || !Number.isFinite(t.objective)) continue
    if (t.state !== 'Succeeded' && t.state !== 'EarlyStopped') continue
    if (improves(direction, t.objective, best?.objective ?? undefined)) best = t
  }
  return best
}

/** Whether `value` beats the current best (strictly: ties keep the earlier trial). */
export function improves(direction: 'minimize' | 'maximize', value: number, best: number | undefined): boolean {
  if (!Number.isFinite(value)) return false
  if (best === undefined) return true
  return direction === 'minimize' ? value < best : value > best
}
