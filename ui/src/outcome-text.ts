import { formatNumber } from './format.ts'
import type { TrialOutcome } from './objective-outcomes.ts'
import type { ObjectiveInfo } from './objectives-info.ts'
import type { Violation } from './trial-row.ts'

/** `latency_ms ↓`: the metric and which way is better. */
export function objectiveLabel(o: ObjectiveInfo): string {
  return `${o.metric} ${o.direction === 'minimize' ? '↓' : '↑'}`
}

/** `latency_ms <= 50 (by 3.5)`; `(not reported)` for a metric the trial never reported. */
export function violationText(v: Violation): string {
  if (v.amount === null) return v.text
  return `${v.text} (${Number.isFinite(v.amount) ? `by ${formatNumber(v.amount)}` : 'not reported'})`
}

/** Where a trial stands, in words: on the front, dominated, or the constraints it broke. */
export function standingText(o: TrialOutcome): string {
  if (!o.feasible) return `infeasible: broke ${o.violations.map(violationText).join(', ')}`
  return o.onFront ? 'on the Pareto front' : 'dominated'
}

/** A chart tooltip for one trial's point (HTML: ECharts renders it as such; names are escaped). */
export function outcomeTooltip(o: TrialOutcome, objectives: readonly ObjectiveInfo[]): string {
  const lines = [`${escape(o.trial.name)} (#${o.trial.number})`, ...objectives.map((obj, i) => `${escape(obj.metric)} = ${formatNumber(o.values[i])}`), escape(standingText(o))]
  return lines.join('<br/>')
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
