import { hypervolumeHistory } from './hypervolume-history.ts'
import { toMinimized, type ObjectivesInfo } from './objectives-info.ts'
import { paretoFront } from './pareto-front.ts'
import type { TrialRow, Violation } from './trial-row.ts'

/** A succeeded trial with every objective known: where it stands among the others. */
export interface TrialOutcome {
  readonly trial: TrialRow
  /** Each objective's value in spec order, as reported. */
  readonly values: readonly number[]
  /** The same, every coordinate minimised (maximised ones negated). */
  readonly minimized: readonly number[]
  readonly feasible: boolean
  /** The constraints it broke (none when feasible). */
  readonly violations: readonly Violation[]
  /** Feasible and no other feasible trial dominates it. */
  readonly onFront: boolean
}

export interface HypervolumePoint {
  /** Succeeded trials so far, in the order they finished; `trial` is the last of them. */
  readonly completed: number
  readonly trial: TrialRow
  readonly hypervolume: number
}

export interface Outcomes {
  /** Succeeded trials with every objective finite, by number. */
  readonly scored: readonly TrialOutcome[]
  /** The Pareto front of the feasible ones, by number. */
  readonly front: readonly TrialOutcome[]
  readonly byName: ReadonlyMap<string, TrialOutcome>
  /** In minimised coordinates; undefined until a feasible trial exists. */
  readonly reference: readonly number[] | undefined
  readonly history: readonly HypervolumePoint[]
}

/** The hypervolume line's points at most (evenly spaced over the completed trials). */
const HISTORY_POINTS = 200

/** What the server may already have computed (the experiment resource's fields). */
export interface ServerFront {
  readonly paretoFront?: readonly string[] | undefined
  /** In raw coordinates (each objective as reported). */
  readonly referencePoint?: readonly number[] | undefined
}

/**
 * Each objective's value of a trial: the server's `values` when it sends them, else read from
 * its metrics (the first objective is the trial's objective, picked by its metric strategy; the
 * others their latest value). Null while any is unknown.
 */
export function objectiveValues(trial: TrialRow, info: ObjectivesInfo): number[] | null {
  if (trial.values !== undefined) return trial.values === null ? null : [...trial.values]
  const values = knownObjectiveValues(trial, info)
  return values.every((v): v is number => v !== null && Number.isFinite(v)) ? values : null
}

/** As far as known (a running trial's so far): null where an objective has no value yet. */
export function knownObjectiveValues(trial: TrialRow, info: ObjectivesInfo): (number | null)[] {
  if (trial.values) return [...trial.values]
  return info.objectives.map((o, i) => (i === 0 && trial.objective !== null ? trial.objective : trial.metrics[o.metric] ?? null))
}

/**
 * The constraints a trial broke: the server's when it sends them, else each constraint checked
 * against the latest value of its metric; a metric never reported breaks its constraint (as on
 * the server: violation +Infinity).
 */
export function violationsOf(trial: TrialRow, info: ObjectivesInfo): Violation[] {
  if (trial.violations !== undefined) return [...trial.violations]
  if (trial.feasible === true) return []
  const broken: Violation[] = []
  for (const c of info.constraints) {
    const value = trial.metrics[c.metric]
    const amount = value === null || value === undefined || !Number.isFinite(value) ? Infinity : c.op === '<=' ? value - c.bound : c.bound - value
    if (amount > 0) broken.push({ text: c.text, amount })
  }
  if (broken.length === 0 && trial.feasible === false) broken.push({ text: 'a constraint', amount: null })
  return broken
}

/**
 * Every succeeded trial's objective vector, feasibility and place on the front, the reference
 * point and the hypervolume after each trial. The reference point is the server's when it sends
 * one, else its default (docs/multiobjective.md): each objective's worst feasible value plus 10%
 * of its range over the feasible trials, so the last point of the history is the experiment's
 * `hypervolume`.
 */
export function objectiveOutcomes(trials: readonly TrialRow[], info: ObjectivesInfo, server: ServerFront = {}): Outcomes {
  const scored: { trial: TrialRow; values: number[]; minimized: number[]; feasible: boolean; violations: Violation[] }[] = []
  for (const trial of trials) {
    if (trial.state !== 'Succeeded') continue
    const values = objectiveValues(trial, info)
    if (!values) continue
    const violations = violationsOf(trial, info)
    scored.push({ trial, values, minimized: toMinimized(values, info.objectives), feasible: violations.length === 0, violations })
  }
  const feasible = scored.filter((s) => s.feasible)
  const serverFront = server.paretoFront ? new Set(server.paretoFront) : undefined
  const onFront = new Set(serverFront ? feasible.filter((s) => serverFront.has(s.trial.name)) : paretoFront(feasible.map((s) => s.minimized)).map((i) => feasible[i]!))
  const outcomes: TrialOutcome[] = scored.map((s) => ({ ...s, onFront: onFront.has(s) }))
  const reference = server.referencePoint?.length === info.objectives.length
    ? toMinimized(server.referencePoint, info.objectives)
    : defaultReference(feasible.map((s) => s.minimized))
  const finished = [...outcomes].sort((a, b) => (a.trial.finishedMs ?? Infinity) - (b.trial.finishedMs ?? Infinity) || a.trial.number - b.trial.number)
  // An infeasible trial counts as completed but adds no volume: the reference itself is never inside.
  const volumes = reference ? hypervolumeHistory(finished.map((o) => (o.feasible ? o.minimized : reference)), reference, HISTORY_POINTS) : []
  return {
    scored: outcomes,
    front: outcomes.filter((o) => o.onFront),
    byName: new Map(outcomes.map((o) => [o.trial.name, o])),
    reference,
    history: volumes.map((v) => ({ completed: v.index + 1, trial: finished[v.index]!.trial, hypervolume: v.hypervolume })),
  }
}

/**
 * Each coordinate's worst (largest) value plus 10% of its range, or of its magnitude (at least
 * 1e-9) when every point has the same value, so the worst point adds volume too: the server's
 * rule (core/multiobjective/reference-point.ts). Undefined without points.
 */
export function defaultReference(points: readonly (readonly number[])[]): number[] | undefined {
  if (points.length === 0) return undefined
  return points[0]!.map((_, i) => {
    const column = points.map((p) => p[i]!)
    const worst = Math.max(...column)
    const range = worst - Math.min(...column)
    return worst + (range > 0 ? 0.1 * range : Math.max(0.1 * Math.abs(worst), 1e-9))
  })
}
