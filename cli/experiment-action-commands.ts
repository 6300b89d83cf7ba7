import type { TunewellClient } from '../api/client/tunewell-client.ts'
import type { ExperimentResource } from '../api/schemas/experiment.ts'
import { renderOutput } from './render-output.ts'
import type { CommandIo } from './server-io.ts'
import type { OutputFormat } from './server-options.ts'

/** `tunewell stop NAME`: completes it (Succeeded, ExperimentStopped) and kills its running trials. */
export async function stopCommand(name: string, client: TunewellClient, format: OutputFormat, io: CommandIo): Promise<number> {
  const resource = await client.stopExperiment(name)
  io.out.write(renderOutput(resource, format, () => stateLine(resource)))
  return 0
}

/** `tunewell resume NAME`: runs a stopped experiment again when its resumePolicy allows. */
export async function resumeCommand(name: string, client: TunewellClient, format: OutputFormat, io: CommandIo): Promise<number> {
  const resource = await client.resumeExperiment(name)
  io.out.write(renderOutput(resource, format, () => stateLine(resource)))
  return 0
}

function stateLine(resource: ExperimentResource): string {
  const { state, reason, message } = resource.status
  return `experiment "${resource.metadata.name}" ${state}${reason ? ` (${reason})` : ''}${message ? `: ${message}` : ''}`
}
