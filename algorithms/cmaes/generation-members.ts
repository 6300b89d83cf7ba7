/**
 * Ties the samples of the current generation to trials, and reads their outcomes.
 *
 * A member records the number of the trial holding its parameters. The caller numbers the i-th
 * suggestion of a call `trials.length + i`; a member whose trial never appeared (the suggestion
 * was not used), or whose trial holds other parameters (the numbering did not go as expected),
 * is dropped, and the generation simply draws more samples. Pending and Running trials are
 * waited for. A finished trial without a finite objective (Failed, Killed, MetricsUnavailable,
 * EarlyStopped without a value, NaN or ±Infinity) ranks worst rather than being resampled, so
 * a failure never stalls a generation and the search is pushed away from points that crash
 * (e.g. a learning rate that diverges).
 */
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { paramsKey } from '../params-key.ts'
import type { Direction } from '../suggester.ts'
import type { CmaMember } from './cma-state.ts'

/** The member's minimisation-signed value, Infinity if its trial failed, undefined while it runs. */
export function trialValue(trial: TrialSnapshot | undefined, direction: Direction): number | undefined {
  if (trial === undefined || trial.state === 'Pending' || trial.state === 'Running') return undefined
  if (!hasValue(trial)) return Infinity
  return direction === 'maximize' ? -trial.objective! : trial.objective!
}

/** Succeeded, or stopped early with a value (Katib keeps the metrics of early-stopped trials). */
function hasValue(trial: TrialSnapshot): boolean {
  return (trial.state === 'Succeeded' || trial.state === 'EarlyStopped') && typeof trial.objective === 'number' && Number.isFinite(trial.objective)
}

/** The members whose trial exists and, for a sample, holds the sample's parameters (see the header). */
export function liveMembers(
  members: readonly CmaMember[],
  trialsByNumber: ReadonlyMap<number, TrialSnapshot>,
  space: SearchSpace,
  paramsOfSample: (sample: number) => Params,
): CmaMember[] {
  return members.filter((m) => {
    const trial = trialsByNumber.get(m.trial)
    if (trial === undefined) return false
    return m.sample === undefined || paramsKey(space, trial.params) === paramsKey(space, paramsOfSample(m.sample))
  })
}

/**
 * Whether two samples can decode to the same parameters: only when no parameter is a continuous
 * double (a continuous coordinate makes a repeat a probability-zero event, not worth a lookup).
 */
export function pointsCanRepeat(space: SearchSpace): boolean {
  return space.every((p) => p.type === 'categorical' || p.type === 'discrete' || p.type === 'int' || p.step !== undefined)
}

/**
 * For each parameter set already tried, the trial a new sample with those parameters can reuse
 * instead of running it again: one with a finite objective if any, else one still running,
 * else a failed one (which then ranks worst again).
 */
export function reusableTrials(trials: readonly TrialSnapshot[], space: SearchSpace): Map<string, number> {
  const byKey = new Map<string, { trial: number; priority: number }>()
  for (const t of trials) {
    const priority = hasValue(t) ? 2 : t.state === 'Pending' || t.state === 'Running' ? 1 : 0
    const key = paramsKey(space, t.params)
    const current = byKey.get(key)
    if (current === undefined || priority > current.priority) byKey.set(key, { trial: t.number, priority })
  }
  return new Map([...byKey].map(([key, v]) => [key, v.trial]))
}
