import type { TunewellClient } from '../api/client/tunewell-client.ts'
import type { TrialView } from '../api/schemas/trial.ts'
import { formatNumber } from './progress-reporter.ts'
import { renderOutput } from './render-output.ts'
import type { CommandIo } from './server-io.ts'
import type { OutputFormat } from './server-options.ts'
import { textTable } from './text-table.ts'

/**
 * `tunewell best NAME`: the experiment's current optimal trial, its parameters and metrics.
 * JSON and YAML are that trial as the API shows it. Exit 1 while no trial has an objective value.
 */
export async function bestCommand(name: string, client: TunewellClient, format: OutputFormat, io: CommandIo): Promise<number> {
  const experiment = await client.getExperiment(name)
  const objective = experiment.spec.objective
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
