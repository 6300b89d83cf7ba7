import { trialAssignments } from '../../core/spec/to-search-space.ts'
import type { Experiment } from '../../core/spec/index.ts'
import type { TrialRecord } from '../../db/store.ts'
import { finiteOrNull, isoOrNull } from './trial-view.ts'

export const EXPORT_FORMATS = ['csv', 'json'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** What `trials:export` writes per trial, besides the parameters and metrics. */
const HEAD = ['number', 'name', 'state'] as const
const TAIL = ['reason', 'message', 'createdAt', 'startedAt', 'finishedAt', 'durationSeconds'] as const

/** The columns of an export: fixed ones, then the experiment's parameters and metrics by name. */
export interface ExportLayout {
  readonly parameters: readonly string[]
  readonly metrics: readonly string[]
  /** The CSV header: number, name, state, each parameter, objective, each metric, reason, message, the times. */
  readonly columns: readonly string[]
}

export function exportLayout(parameters: readonly string[], metrics: readonly string[]): ExportLayout {
  return { parameters, metrics, columns: [...HEAD, ...parameters, 'objective', ...metrics, ...TAIL] }
}

/** One trial as an export's JSON object: parameters as the trial received them, each metric's min/max/latest. */
export interface ExportedTrial {
  readonly number: number
  readonly name: string
  readonly state: string
  readonly params: Record<string, string>
  readonly objective: number | null
  readonly metrics: Record<string, { min: number | null; max: number | null; latest: number | null }>
  /** Metrics reported as text (a DARTS genotype): their latest text. */
  readonly textMetrics: Record<string, string>
  readonly reason: string | null
  readonly message: string | null
  readonly createdAt: string
  readonly startedAt: string | null
  readonly finishedAt: string | null
  /** finishedAt − startedAt; null until both are known. */
  readonly durationSeconds: number | null
}

export function exportedTrial(trial: TrialRecord, experiment: Pick<Experiment, 'spec'>, layout: ExportLayout): ExportedTrial {
  const assigned = trialAssignments(experiment, trial.params)
  const params: Record<string, string> = {}
  for (const name of layout.parameters) if (assigned[name] !== undefined) params[name] = assigned[name]
  const metrics: ExportedTrial['metrics'] = {}
  for (const [name, m] of Object.entries(trial.metrics ?? {})) {
    metrics[name] = { min: finiteOrNull(m.min), max: finiteOrNull(m.max), latest: finiteOrNull(m.latest) }
  }
  const duration = trial.startedAt && trial.finishedAt ? (trial.finishedAt.getTime() - trial.startedAt.getTime()) / 1000 : null
  return {
    number: trial.number,
    name: trial.name,
    state: trial.state,
    params,
    objective: finiteOrNull(trial.objective),
    metrics,
    textMetrics: { ...(trial.textMetrics ?? {}) },
    reason: trial.reason,
    message: trial.message,
    createdAt: trial.createdAt.toISOString(),
    startedAt: isoOrNull(trial.startedAt),
    finishedAt: isoOrNull(trial.finishedAt),
    durationSeconds: duration,
  }
}

/** The trial's CSV cells in layout.columns' order: a metric's latest value, or its text when it was reported as text. */
export function csvCells(trial: ExportedTrial, layout: ExportLayout): (string | number | null)[] {
  return [
    trial.number, trial.name, trial.state,
    ...layout.parameters.map((p) => trial.params[p] ?? null),
    trial.objective,
    ...layout.metrics.map((m) => trial.metrics[m]?.latest ?? trial.textMetrics[m] ?? null),
    trial.reason, trial.message, trial.createdAt, trial.startedAt, trial.finishedAt, trial.durationSeconds,
  ]
}

/** A plain number (what a spreadsheet reads as one): left as it is even when negative. */
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
/** What makes a spreadsheet read a cell as a formula (OWASP's list: tab and carriage return too). */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * One CSV field by RFC 4180: quoted when it holds a comma, a quote or a line break (quotes
 * doubled). A text starting like a formula gets a leading `'` first, so a trial message such as
 * `=HYPERLINK(...)` opens in a spreadsheet as text, not as a formula; numbers (`-0.5`) are left
 * as they are.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  let text = typeof value === 'number' ? String(value) : value
  if (typeof value === 'string' && FORMULA_START.test(text) && !NUMBER.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One CSV record with its CRLF line end (RFC 4180). */
export const csvLine = (cells: readonly (string | number | null | undefined)[]): string => `${cells.map(csvField).join(',')}\r\n`
