import type { ExperimentRecord, Store } from '../db/store.ts'

export interface EarlyStoppingSavings {
  readonly rule: string
  readonly stopped: number
  readonly trials: number
  /** Steps (epochs) a trial reports when it trains to the end. */
  readonly fullSteps: number
  /** Steps every trial would have reported without stopping. */
  readonly withoutStopping: number
  /** Steps the stopped trials did not run. */
  readonly saved: number
}

/**
 * What early stopping spared: for each EarlyStopped trial, the steps of a full training it did
 * not run. A full training is asha's `max_resource` when set, otherwise the most steps any
 * trial that ran to its end reported (trial programs train a fixed number of epochs). Steps are
 * reports of the objective metric, one per epoch for a program that reports per epoch.
 */
export async function earlyStoppingSavings(store: Store, record: ExperimentRecord): Promise<EarlyStoppingSavings | undefined> {
  const spec = record.spec
  const rule = spec.spec.earlyStopping?.algorithmName
  if (!rule) return undefined
  const [trials, curves] = await Promise.all([
    store.trials.list(record.id),
    store.observations.curves(record.id, spec.spec.objective.objectiveMetricName),
  ])
  const steps = (id: string) => curves.get(id)?.length ?? 0
  const ran = trials.filter((t) => t.state !== 'Pending' && steps(t.id) > 0)
  const maxResource = Number(spec.spec.earlyStopping?.algorithmSettings?.find((s) => s.name === 'max_resource')?.value)
  const fullSteps = Number.isFinite(maxResource) && maxResource > 0
    ? maxResource
    : Math.max(0, ...ran.filter((t) => t.state === 'Succeeded').map((t) => steps(t.id)))
  const stopped = ran.filter((t) => t.state === 'EarlyStopped')
  return {
    rule,
    stopped: stopped.length,
    trials: ran.length,
    fullSteps,
    withoutStopping: fullSteps * ran.length,
    saved: stopped.reduce((sum, t) => sum + Math.max(0, fullSteps - steps(t.id)), 0),
  }
}

/** One line for the run summary. */
export function formatSavings(s: EarlyStoppingSavings): string {
  const share = s.withoutStopping > 0 ? ` (${Math.round((100 * s.saved) / s.withoutStopping)}%)` : ''
  return `early stopping (${s.rule}): ${s.stopped} of ${s.trials} trials stopped; ${s.saved} of ${s.withoutStopping} epochs saved${share} versus no stopping (${s.fullSteps} per full trial)`
}
