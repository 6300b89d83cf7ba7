import { once } from 'node:events'
import type { TunewellClient } from '../api/client/tunewell-client.ts'
import type { CommandIo } from './server-io.ts'

export interface LogsOptions {
  readonly tail?: number
  readonly follow?: boolean
}

/**
 * `tunewell logs NAME TRIAL`: the trial's output; with `--follow`, as it is written, until the
 * trial ends (Ctrl-C stops following, the trial carries on).
 */
export async function logsCommand(name: string, trial: string, options: LogsOptions, client: TunewellClient, io: CommandIo): Promise<number> {
  const tail = options.tail !== undefined ? { tail: options.tail } : {}
  if (!options.follow) {
    io.out.write(await client.trialLogs(name, trial, tail))
    return 0
  }
  for await (const chunk of client.followTrialLogs(name, trial, tail)) {
    // Respect a slow reader (a pager): do not buffer a fast-growing log in memory.
    if (!io.out.write(chunk)) await once(io.out, 'drain')
  }
  return 0
}
