import { TunewellClient } from '../api/client/tunewell-client.ts'
import { reportApiError } from './report-api-error.ts'
import { connectionFrom, UsageError, type ServerOptions } from './server-options.ts'

/** Where a server command writes: results to `out`, errors and notes to `err`. */
export interface CommandIo {
  readonly out: NodeJS.WritableStream
  readonly err: NodeJS.WritableStream
}

export const clientFor = (options: ServerOptions) => new TunewellClient(connectionFrom(options))

/** Runs a server command; a failed API call becomes its message on `err` and exit code 1, bad input here 2. */
export async function guarded(io: CommandIo, work: () => Promise<number>): Promise<number> {
  try {
    return await work()
  } catch (error) {
    if (!(error instanceof UsageError)) return reportApiError(error, io.err)
    io.err.write(`error: ${error.message}\n`)
    return 2
  }
}
