import type { TrialColumns, TrialState, TrialView } from './api-types.ts'

/** What the experiment page knows of a trial: enough for its charts and table, nothing more. */
export interface TrialRow {
  readonly name: string
  readonly number: number
  readonly state: TrialState
  readonly objective: number | null
  readonly params: Readonly<Record<string, number | string | boolean | null>>
  /** Latest value per metric; null or absent when unknown. */
  readonly metrics: Readonly<Record<string, number | null>>
  /** Latest text of the metrics reported only as text (a DARTS genotype); absent when none. */
  readonly texts?: Readonly<Record<string, string | null>>
  /** Epoch milliseconds. */
  readonly startedMs: number | null
  readonly finishedMs: number | null
  /** The state's message, else its reason. */
  readonly message: string | null
  /** pbt: 0 for a fresh start, the parent's + 1 for a trial that continued one; absent when 0. */
  readonly generation?: number
  /**
   * Several objectives or constraints (docs/multiobjective.md), when the server sends them: every
   * objective's value in spec order, whether the trial met every constraint, and those it broke.
   * Absent otherwise; objective-outcomes.ts then reads them from the metrics.
   */
  readonly values?: readonly number[] | null
  readonly feasible?: boolean | null
  readonly violations?: readonly Violation[]
}

/** A broken constraint, by its text, and by how much (null when the server does not say). */
export interface Violation {
  readonly text: string
  readonly amount: number | null
}

/** The fields the multi-objective API adds to a trial (columns or view), read loosely so a server without them still works. */
interface OutcomeFields {
  values?: unknown
  feasible?: unknown
  violations?: unknown
}

function outcomeOf(values: unknown, feasible: unknown, violations: unknown): Pick<TrialRow, 'values' | 'feasible' | 'violations'> {
  const out: { values?: readonly number[] | null; feasible?: boolean | null; violations?: readonly Violation[] } = {}
  if (values === null || (Array.isArray(values) && values.every((v) => typeof v === 'number'))) out.values = values as number[] | null
  if (feasible === null || typeof feasible === 'boolean') out.feasible = feasible
  const broken = readViolations(violations)
  if (broken) out.violations = broken
  return out
}

/** The server's `[{constraint, violation}]`; also `["latency_ms <= 50"]` or `{"latency_ms <= 50": 3.5}`. */
export function readViolations(value: unknown): Violation[] | undefined {
  if (value === null || value === undefined) return undefined
  if (Array.isArray(value)) {
    return value.map((v) => typeof v === 'string'
      ? { text: v, amount: null }
      : brokenConstraint(v as { constraint?: unknown; violation?: unknown }))
  }
  if (typeof value === 'object') return Object.entries(value as Record<string, unknown>).map(([text, amount]) => ({ text, amount: numberOrNull(amount) }))
  return undefined
}

/** The server's `{constraint, violation}`: a null violation means the metric was never reported. */
const brokenConstraint = (v: { constraint?: unknown; violation?: unknown }): Violation =>
  ({ text: String(v.constraint), amount: v.violation === null ? Infinity : numberOrNull(v.violation) })

const numberOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : v === 'Infinity' ? Infinity : null)

/** The columnar answer of `trials:columns`, turned into rows (a few ms at 10,000 trials). */
export function rowsFromColumns(c: TrialColumns): TrialRow[] {
  const paramNames = Object.keys(c.params)
  const metricNames = Object.keys(c.metrics)
  const textNames = Object.keys(c.textMetrics ?? {})
  const loose = c as { values?: unknown[]; feasible?: unknown[]; violations?: unknown[] }
  const outcomes = loose.values || loose.feasible || loose.violations ? loose : undefined
  const rows: TrialRow[] = new Array(c.count)
  for (let i = 0; i < c.count; i++) {
    const params: Record<string, number | string | boolean | null> = {}
    for (const p of paramNames) params[p] = c.params[p]![i]!
    const metrics: Record<string, number | null> = {}
    for (const m of metricNames) metrics[m] = c.metrics[m]![i]!
    const texts = textNames.length > 0 ? Object.fromEntries(textNames.map((m) => [m, c.textMetrics![m]![i]!])) : undefined
    rows[i] = {
      name: c.namePrefix + c.suffix[i]!, number: c.number[i]!, state: c.states[c.state[i]!]!, objective: c.objective[i]!,
      params, metrics, ...(texts ? { texts } : {}), startedMs: c.startedAt[i]!, finishedMs: c.finishedAt[i]!, message: c.message[i]!,
      ...(c.generation?.[i] ? { generation: c.generation[i] } : {}),
      ...(outcomes ? outcomeOf(outcomes.values?.[i], outcomes.feasible?.[i], outcomes.violations?.[i]) : {}),
    }
  }
  return rows
}

export function rowFromView(t: TrialView): TrialRow {
  const metrics: Record<string, number | null> = {}
  for (const m of t.observation.metrics) metrics[m.name] = m.latest
  const texts = t.observation.textMetrics?.length ? Object.fromEntries(t.observation.textMetrics.map((m) => [m.name, m.latest])) : undefined
  return {
    name: t.name, number: t.number, state: t.state, objective: t.objective, params: t.params, metrics, ...(texts ? { texts } : {}),
    startedMs: t.startedAt ? Date.parse(t.startedAt) : null, finishedMs: t.finishedAt ? Date.parse(t.finishedAt) : null,
    message: t.message ?? t.reason, ...(t.generation ? { generation: t.generation } : {}),
    ...outcomeOf((t as OutcomeFields).values, (t as OutcomeFields).feasible, (t as OutcomeFields).violations),
  }
}
