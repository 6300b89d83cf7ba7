import type { ExperimentFilter, TunewellClient } from '../api/client/tunewell-client.ts'
import type { ExperimentSummary } from '../api/schemas/experiment.ts'
import { formatNumber } from './progress-reporter.ts'
import { renderOutput } from './render-output.ts'
import type { CommandIo } from './server-io.ts'
import type { OutputFormat } from './server-options.ts'
import { textTable } from './text-table.ts'

export interface ListOptions {
  readonly status?: string
  readonly name?: string
  /** `k=v` each; all must match. */
  readonly label: readonly string[]
}

/** `tunewell list`: every experiment the filters match, newest first (all pages). */
export async function listCommand(options: ListOptions, client: TunewellClient, format: OutputFormat, io: CommandIo): Promise<number> {
  const filter: ExperimentFilter = {
    ...(options.status ? { status: options.status } : {}),
    ...(options.name ? { name: options.name } : {}),
    ...(options.label.length > 0 ? { label: options.label.join(',') } : {}),
    limit: 1000,
  }
  const items: ExperimentSummary[] = []
  for await (const item of client.allExperiments(filter)) items.push(item)
  io.out.write(renderOutput(items, format, () => (items.length === 0 ? 'no experiments' : experimentTable(items))))
  return 0
}

export function experimentTable(items: readonly ExperimentSummary[]): string {
  const header = ['NAME', 'STATE', 'REASON', 'ALGORITHM', 'TRIALS', 'RUNNING', 'SUCCEEDED', 'FAILED', 'BEST', 'CREATED']
  const rows = items.map((e) => [
    e.name,
    e.state,
    e.reason ?? '',
    e.algorithmName,
    `${e.trials.total}${e.maxTrialCount !== null ? `/${e.maxTrialCount}` : ''}`,
    String(e.trials.Running),
    String(e.trials.Succeeded),
    String(e.trials.Failed),
    e.best?.objective !== null && e.best?.objective !== undefined ? `${e.objective.metricName}=${formatNumber(e.best.objective)}` : '',
    shortTime(e.createdAt),
  ])
  return textTable(header, rows)
}

/** `2026-01-02T03:04:05.678Z` → `2026-01-02 03:04:05Z`: seconds are enough to tell runs apart. */
export function shortTime(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z` : ''
}
