import { createInterface } from 'node:readline/promises'
import type { TunewellClient } from '../api/client/tunewell-client.ts'
import type { CommandIo } from './server-io.ts'

export interface DeleteOptions {
  readonly yes?: boolean
}

/**
 * `tunewell delete NAME`: stops the experiment and deletes it with its trials and data. Asks
 * first on a terminal; without one (a script, CI) it refuses unless `--yes` says so up front,
 * so a pipeline never hangs on a question nobody can answer. Exit 2 when refused that way.
 */
export async function deleteCommand(name: string, options: DeleteOptions, client: TunewellClient, io: CommandIo): Promise<number> {
  if (!options.yes) {
    if (!process.stdin.isTTY || process.env.CI) {
      io.err.write(`error: refusing to delete experiment "${name}" without --yes: there is no terminal to ask on\n`)
      return 2
    }
    // The experiment is looked up first so a typo is "not found", not a question.
    const resource = await client.getExperiment(name)
    const prompt = createInterface({ input: process.stdin, output: process.stderr })
    try {
      const answer = await prompt.question(`delete experiment "${name}" (${resource.status.state}) with its ${resource.status.trials} trial(s), their metrics and events? [y/N] `)
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.err.write('not deleted\n')
        return 1
      }
    } finally {
      prompt.close()
    }
  }
  await client.deleteExperiment(name)
  io.out.write(`experiment "${name}" deleted (its trial logs stay on the server, under .tunewell/runs/)\n`)
  return 0
}
