import { readFile } from 'node:fs/promises'
import type { TunewellClient } from '../api/client/tunewell-client.ts'
import { reportApiError } from './report-api-error.ts'
import type { CommandIo } from './server-io.ts'

/**
 * `tunewell enqueue NAME --params lr=0.05,optimizer=adam [--params ...] | --file sets.json`:
 * POST .../trials:enqueue. Values go as written; the server checks each against the search space
 * and names what is wrong by its JSON path (`/params/1/lr`). Exit 0 queued, 1 refused, 2 bad input.
 */
export async function enqueueCommand(name: string, options: { readonly params: readonly string[]; readonly file?: string }, client: TunewellClient, io: CommandIo): Promise<number> {
  const sets: Record<string, string | number>[] = []
  for (const text of options.params) {
    const set: Record<string, string> = {}
    for (const pair of text.split(',')) {
      const at = pair.indexOf('=')
      if (at <= 0) {
        io.err.write(`error: --params ${JSON.stringify(text)}: ${JSON.stringify(pair)} is not name=value; write e.g. --params lr=0.05,optimizer=adam\n`)
        return 2
      }
      set[pair.slice(0, at).trim()] = pair.slice(at + 1).trim()
    }
    sets.push(set)
  }
  if (options.file !== undefined) {
    let list: unknown
    try {
      list = JSON.parse(await readFile(options.file, 'utf8'))
    } catch (error) {
      io.err.write(`error: ${options.file}: cannot read a JSON list of parameter sets: ${(error as Error).message}\n`)
      return 2
    }
    if (!Array.isArray(list)) {
      io.err.write(`error: ${options.file}: must hold a JSON list of parameter sets, e.g. [{"lr": 0.05}]\n`)
      return 2
    }
    sets.push(...(list as Record<string, string | number>[]))
  }
  if (sets.length === 0) {
    io.err.write('error: give at least one parameter set: --params name=value,... or --file sets.json\n')
    return 2
  }
  try {
    const { queued } = await client.enqueueTrials(name, sets)
    io.out.write(`${sets.length} parameter ${sets.length === 1 ? 'set' : 'sets'} queued for experiment "${name}" (${queued} waiting for a trial)\n`)
    return 0
  } catch (error) {
    return reportApiError(error, io.err)
  }
}
