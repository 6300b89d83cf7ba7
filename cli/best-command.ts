import type { TunewellClient } from '../api/client/tunewell-client.ts'
import type { BestView } from '../api/schemas/best.ts'
import type { ExperimentResource } from '../api/schemas/experiment.ts'
import type { TrialView } from '../api/schemas/trial.ts'
import { formatNumber } from './progress-reporter.ts'
import { renderOutput } from './render-output.ts'
import type { CommandIo } from './server-io.ts'
import type { OutputFormat } from './server-options.ts'
import { textTable } from './text-table.ts'

/**
 * `tunewell best NAME`: the experiment's current optimal trial, its parameters and metrics.
 * JSON and YAML are that trial as the API shows it. Exit 1 while no trial has an objective value.
 * With several objectives: the Pareto front, one row per trial (its objectives, then its
 * parameters) and the hypervolume; JSON and YAML are GET .../best's answer. Exit 1 while it is empty.
 */
export async function bestCommand(name: string, client: TunewellClient, format: OutputFormat, io: CommandIo): Promise<number> {
  const experiment = await client.getExperiment(name)
  const objective = experiment.spec.objective
  const objectives = experiment.objectives ?? []
  if (objectives.length >= 2) return frontCommand(name, experiment.status, objectives, client, format, io)
  const bestName = experiment.status.currentOptimalTrial.bestTrialName
  if (!bestName) {
    io.err.write(`error: experiment "${name}" has no best trial yet: no trial has reported ${objective.objectiveMetricName} (state ${experiment.status.state}, ${experiment.status.trials} trial(s))\n`)
    return 1
  }
  const trial = await client.getTrial(name, bestName)
  io.out.write(renderOutput(trial, format, () => bestText(trial, `${objective.type} ${objective.objectiveMetricName}`)))
  return 0
}

function bestText(trial: TrialView, objective: string): string {
  const lines = [
    `best trial ${trial.name} (#${trial.number}, ${trial.state}): ${objective} = ${trial.objective === null ? 'unknown' : formatNumber(trial.objective)}`,
    'parameters:',
    ...trial.parameterAssignments.map((a) => `  ${a.name} = ${a.value}`),
  ]
  if (trial.observation.metrics.length > 0) {
    const table = textTable(['METRIC', 'MIN', 'MAX', 'LATEST'], trial.observation.metrics.map((m) => [m.name, formatNumber(m.min), formatNumber(m.max), formatNumber(m.latest)]))
    lines.push('metrics:', ...table.split('\n').map((line) => `  ${line}`))
  }
  return lines.join('\n')
}

async function frontCommand(
  name: string,
  status: ExperimentResource['status'],
  objectives: readonly { metric: string; direction: string }[],
  client: TunewellClient,
  format: OutputFormat,
  io: CommandIo,
): Promise<number> {
  const best = await client.getBest(name)
  if (best.trials.length === 0) {
    io.err.write(`error: experiment "${name}" has no Pareto front yet: no feasible trial has reported ${objectives.map((o) => o.metric).join(', ')} (state ${status.state}, ${status.trials} trial(s))\n`)
    return 1
  }
  io.out.write(renderOutput(best, format, () => frontText(best, objectives)))
  return 0
}

function frontText(best: BestView, objectives: readonly { metric: string; direction: string }[]): string {
  const params = [...new Set(best.trials.flatMap((t) => t.parameterAssignments.map((a) => a.name)))]
  const header = ['TRIAL', ...objectives.map((o) => `${o.metric} (${o.direction === 'maximize' ? 'max' : 'min'})`), ...params]
  const rows = best.trials.map((t) => [
    t.name,
    ...objectives.map((_, i) => (t.values?.[i] === undefined ? '-' : formatNumber(t.values[i]!))),
    ...params.map((p) => t.parameterAssignments.find((a) => a.name === p)?.value ?? '-'),
  ])
  const hv = best.hypervolume === null || best.hypervolume === undefined ? 'unknown' : formatNumber(best.hypervolume)
  const reference = best.referencePoint ? ` (reference point ${best.referencePoint.map(formatNumber).join(', ')})` : ''
  return [`Pareto front: ${best.trials.length} trial(s), hypervolume ${hv}${reference}`, textTable(header, rows)].join('\n')
}
