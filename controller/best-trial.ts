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
    if (!best || (direction === 'minimize' ? t.objective < best.objective! : t.objective > best.objective!)) best = t
  }
  return best
}
