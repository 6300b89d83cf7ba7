import type { TunewellClient, TrialFilter } from '../api/client/tunewell-client.ts'
import type { TrialView } from '../api/schemas/trial.ts'
import { metricNames, toSearchSpace } from '../core/spec/to-search-space.ts'
import { renderOutput } from './render-output.ts'
import type { CommandIo } from './server-io.ts'
import type { OutputFormat } from './server-options.ts'
import { tableParamNames } from './table-param-names.ts'
import { formatTrialFailures } from './trial-failures.ts'
import { trialTable, type TrialRow } from './trial-table.ts'

export interface TrialsOptions {
  readonly sort?: 'objective' | 'number' | 'createdAt'
  readonly order?: 'asc' | 'desc'
  readonly state?: string
  /** Trials to show (one page); with `all`, the page size. */
  readonly limit?: number
  readonly all?: boolean
}

/**
 * `tunewell trials NAME`: one page (`--limit`, default the server's 100) or, with `--all`,
 * every trial page by page. The table marks the best trial with `*`; JSON and YAML are the
 * API's trial objects, as a list.
 */
export async function trialsCommand(name: string, options: TrialsOptions, client: TunewellClient, format: OutputFormat, io: CommandIo): Promise<number> {
  const filter: TrialFilter = {
    ...(options.sort ? { sort: options.sort } : {}),
    ...(options.order ? { order: options.order } : {}),
    ...(options.state ? { state: options.state } : {}),
  }
  // The experiment first: an unknown name is then "experiment not found", and the table needs
  // its parameter and metric names.
  const experiment = await client.getExperiment(name)
  let items: TrialView[]
  if (options.all) {
    items = []
    for await (const trial of client.allTrials(name, { ...filter, limit: options.limit ?? 1000 })) items.push(trial)
  } else {
    const page = await client.listTrials(name, { ...filter, ...(options.limit !== undefined ? { limit: options.limit } : {}) })
    items = page.items
    if (page.nextCursor) io.err.write(`(${items.length} trials shown; there are more: --all for every one, or --limit N)\n`)
  }
    io.out.write(renderOutput(items, format, () => {
    if (items.length === 0) return `no trials${options.state ? ` in state ${options.state}` : ''}`
    const params = tableParamNames(experiment)
    const table = trialTable(items.map(toRow), params, metricNames(experiment), experiment.status.currentOptimalTrial.bestTrialName || null, toSearchSpace(experiment))
    // What failed trials printed last, as run's summary shows it.
    const failures = formatTrialFailures(items)
    return failures ? `${table}\n\n${failures}` : table
  }))
  return 0
}

export function toRow(trial: TrialView): TrialRow {
  return {
    id: trial.name,
    name: trial.name,
    state: trial.state,
    params: Object.fromEntries(Object.entries(trial.params).map(([k, v]) => [k, typeof v === 'boolean' ? String(v) : v])),
    objective: trial.objective,
    metrics: Object.fromEntries(trial.observation.metrics.map((m) => [m.name, { min: m.min, max: m.max, latest: m.latest }])),
    textMetrics: Object.fromEntries((trial.observation.textMetrics ?? []).map((m) => [m.name, m.latest])),
  }
}
