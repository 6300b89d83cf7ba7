import type { TrialState } from '../../core/trial.ts'
import type { ObjectiveSpec } from '../../core/spec/experiment-schema.ts'
import type { TrialRecord } from '../../db/store.ts'
import { trialStanding } from '../../lifecycle/best-front.ts'
import type { TrialColumns } from '../schemas/trial-columns.ts'
import { finiteOrNull } from './trial-view.ts'

/**
 * Trials (sorted by number) as TrialColumns; `parameters` and `metrics` name the columns, in spec
 * order. Names share `namePrefix` only when every one starts with it (trials of ask/tell clients
 * are named by the server too, but a prefix that fails once is dropped rather than guessed).
 */
export function trialColumns(trials: readonly TrialRecord[], parameters: readonly string[], metrics: readonly string[], prefix: string, objective?: ObjectiveSpec): TrialColumns {
  const namePrefix = trials.every((t) => t.name.startsWith(prefix)) ? prefix : ''
  const states: TrialState[] = []
  const stateIndex = new Map<TrialState, number>()
  const params: Record<string, (number | string | boolean | null)[]> = Object.fromEntries(parameters.map((p) => [p, []]))
  const latest: Record<string, (number | null)[]> = Object.fromEntries(metrics.map((m) => [m, []]))
  const out: TrialColumns = {
    count: trials.length, namePrefix, suffix: [], number: [], states, state: [], objective: [], params, metrics: latest, startedAt: [], finishedAt: [], message: [],
  }
  // Only the metrics some trial reported as text (rare: a DARTS genotype), so numbers cost nothing more.
  const textNames = metrics.filter((m) => trials.some((t) => typeof t.textMetrics?.[m] === 'string'))
  if (textNames.length > 0) out.textMetrics = Object.fromEntries(textNames.map((m) => [m, trials.map((t) => t.textMetrics?.[m] ?? null)]))
  for (const t of trials) {
    let s = stateIndex.get(t.state)
    if (s === undefined) {
      s = states.length
      stateIndex.set(t.state, s)
      states.push(t.state)
    }
    out.suffix.push(t.name.slice(namePrefix.length))
    out.number.push(t.number)
    out.state.push(s)
    out.objective.push(finiteOrNull(t.objective))
    for (const p of parameters) params[p]!.push(t.params[p] ?? null)
    for (const m of metrics) latest[m]!.push(finiteOrNull(t.metrics?.[m]?.latest))
    out.startedAt.push(t.startedAt ? t.startedAt.getTime() : null)
    out.finishedAt.push(t.finishedAt ? t.finishedAt.getTime() : null)
    out.message.push(t.message ?? t.reason)
  }
  // Only where a trial continued another (pbt): its generation is how much training it carries.
  if (trials.some((t) => t.generation > 0)) out.generation = trials.map((t) => t.generation)
  if (objective && (objective.objectives !== undefined || objective.constraints?.length)) {
    const standings = trials.map((t) => trialStanding(objective, t))
    out.values = standings.map((s) => s.values)
    out.feasible = standings.map((s) => s.feasible)
    out.violations = standings.map((s) => s.violations)
  }
  return out
}
