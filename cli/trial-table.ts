import { formatAssignment, formatParamValue, type ParamValue, type SearchSpace } from '../core/search-space.ts'
import type { TrialRecord } from '../db/store.ts'
import { formatNumber } from './progress-reporter.ts'

/** What a row needs; `id` only marks the best trial (the CLI's server commands pass the name). */
export type TrialRow = Pick<TrialRecord, 'id' | 'name' | 'state' | 'params' | 'objective' | 'metrics' | 'textMetrics'>

/**
 * A plain-text table of trials: name, state, parameters, then each metric's strategy value (a
 * text metric's latest text, in full). With the search space, a discrete value is printed as
 * its feasibleSpace.list entry is written ("0.10"), what the trial received.
 */
export function trialTable(trials: readonly TrialRow[], paramNames: readonly string[], metrics: readonly string[], bestId: string | null, space: SearchSpace = []): string {
  const discrete = new Map(space.filter((p) => p.type === 'discrete').map((p) => [p.name, p]))
  const header = ['', 'TRIAL', 'STATE', ...paramNames, ...metrics]
  const rows = trials.map((t) => [
    t.id === bestId ? '*' : '',
    t.name,
    t.state,
    ...paramNames.map((p) => {
      const value = t.params[p]
      const parameter = discrete.get(p)
      return parameter && value !== undefined ? formatAssignment(parameter, value) : formatCell(value)
    }),
    ...metrics.map((m, i) => {
      if (i === 0 && t.objective !== null) return formatNumber(t.objective)
      const s = t.metrics?.[m]
      if (s) return formatNumber(s.latest)
      return t.textMetrics && Object.hasOwn(t.textMetrics, m) ? t.textMetrics[m]! : ''
    }),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

function formatCell(value: ParamValue | undefined): string {
  if (value === undefined) return ''
  return typeof value === 'number' ? formatNumber(value) : formatParamValue(value)
}
