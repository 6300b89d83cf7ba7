import type { TunewellClient } from '../api/client/tunewell-client.ts'
import type { ExperimentResource } from '../api/schemas/experiment.ts'
import { shortTime } from './list-command.ts'
import { formatNumber } from './progress-reporter.ts'
import { renderOutput } from './render-output.ts'
import type { CommandIo } from './server-io.ts'
import type { OutputFormat } from './server-options.ts'
import { textTable } from './text-table.ts'

/** `tunewell get NAME`: the experiment as the API shows it; the table form is a summary. */
export async function getCommand(name: string, client: TunewellClient, format: OutputFormat, io: CommandIo): Promise<number> {
  const resource = await client.getExperiment(name)
  io.out.write(renderOutput(resource, format, () => experimentDetails(resource)))
  return 0
}

/** A few labelled lines: state, search, trial counts, times and the best trial so far. */
export function experimentDetails(resource: ExperimentResource): string {
  const spec = resource.spec
  const status = resource.status
  const objective = spec.objective
  const counts = ([
    ['Pending', status.trialsPending], ['Running', status.trialsRunning], ['Succeeded', status.trialsSucceeded],
    ['Failed', status.trialsFailed], ['Killed', status.trialsKilled], ['EarlyStopped', status.trialsEarlyStopped],
    ['MetricsUnavailable', status.trialMetricsUnavailable],
  ] as const).filter(([, n]) => n > 0).map(([state, n]) => `${n} ${state}`)
  const best = status.currentOptimalTrial
  const fields: [string, string][] = [
    ['name', resource.metadata.name],
    ['state', `${status.state}${status.reason ? ` (${status.reason})` : ''}`],
    ...(status.message ? [['message', status.message] as [string, string]] : []),
    ['algorithm', spec.algorithm.algorithmName],
    ['objective', `${objective.type} ${objective.objectiveMetricName}${objective.goal !== undefined ? `, goal ${objective.goal}` : ''}`],
    // The multi-objective extension (docs/multiobjective.md).
    ...(resource.objectives && resource.objectives.length > 1
      ? [['objectives', resource.objectives.map((o) => `${o.direction} ${o.metric}`).join(', ')] as [string, string]]
      : []),
    ...(resource.constraints?.length ? [['constraints', resource.constraints.join(', ')] as [string, string]] : []),
    ...(resource.paretoFront
      ? [['Pareto front', `${resource.paretoFront.length} trial(s)${resource.hypervolume !== null && resource.hypervolume !== undefined ? `, hypervolume ${formatNumber(resource.hypervolume)}` : ''} (tunewell best ${resource.metadata.name})`] as [string, string]]
      : []),
    ['parameters', (spec.parameters ?? []).map((p) => p.name).join(', ')],
    ['trials', `${status.trials} of ${spec.maxTrialCount ?? 'unbounded'}, ${spec.parallelTrialCount ?? 3} in parallel${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`],
    ['created', shortTime(resource.metadata.creationTimestamp)],
    ...(status.startTime ? [['started', shortTime(status.startTime)] as [string, string]] : []),
    ...(status.completionTime ? [['completed', shortTime(status.completionTime)] as [string, string]] : []),
    ['best trial', best.bestTrialName || 'none yet'],
  ]
  const width = Math.max(...fields.map(([label]) => label.length)) + 1
  const lines = fields.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value}`)
  if (best.bestTrialName) {
    lines.push(...best.parameterAssignments.map((a) => `  ${a.name} = ${a.value}`))
    if (best.observation.metrics.length > 0) {
      const table = textTable(['METRIC', 'MIN', 'MAX', 'LATEST'], best.observation.metrics.map((m) => [m.name, formatNumber(m.min), formatNumber(m.max), formatNumber(m.latest)]))
      lines.push(...table.split('\n').map((line) => `  ${line}`))
    }
    // Metrics reported only as text (a darts genotype) have a latest value and nothing else.
    for (const m of best.observation.textMetrics ?? []) lines.push(`  ${m.name} = ${m.latest}`)
  }
  return lines.join('\n')
}
