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
}

/** The columnar answer of `trials:columns`, turned into rows (a few ms at 10,000 trials). */
export function rowsFromColumns(c: TrialColumns): TrialRow[] {
  const paramNames = Object.keys(c.params)
  const metricNames = Object.keys(c.metrics)
  const textNames = Object.keys(c.textMetrics ?? {})
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
    message: t.message ?? t.reason,
  }
}
