import { readFile } from 'node:fs/promises'
import type { TunewellClient } from '../api/client/tunewell-client.ts'
import { formatIssues } from '../core/errors.ts'
import { renderOutput } from './render-output.ts'
import { reportApiError } from './report-api-error.ts'
import type { CommandIo } from './server-io.ts'
import type { OutputFormat } from './server-options.ts'

/**
 * `tunewell submit FILE`: sends the file as it is (YAML, or JSON, which is YAML too), so the
 * server checks it like `tunewell validate` and its problems come back with line:col, printed
 * against the file name. Exit 0 when accepted, 1 when refused, 2 when the file cannot be read.
 */
export async function submitCommand(file: string, client: TunewellClient, format: OutputFormat, io: CommandIo): Promise<number> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message
    io.err.write(`error: ${file}: cannot read the experiment: ${reason}\n`)
    return 2
  }
  try {
    const created = await client.createExperiment(text)
    if (created.warnings.length > 0) io.err.write(`warning:\n${formatIssues(created.warnings, file)}\n`)
    const { name } = created.experiment.metadata
    io.out.write(renderOutput(created, format, () =>
      `experiment "${name}" submitted (${created.experiment.status.state}) to ${client.connection.server}\n` +
      `  follow it with: tunewell get ${name}   (or: tunewell trials ${name})`))
    return 0
  } catch (error) {
    return reportApiError(error, io.err, file)
  }
}
