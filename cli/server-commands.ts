import { InvalidArgumentError, Option, type Command } from 'commander'
import { bestCommand } from './best-command.ts'
import { deleteCommand } from './delete-command.ts'
import { exportCommand } from './export-command.ts'
import { resumeCommand, stopCommand } from './experiment-action-commands.ts'
import { enqueueCommand } from './enqueue-command.ts'
import { getCommand } from './get-command.ts'
import { listCommand } from './list-command.ts'
import { withLocalClient, type LocalOptions } from './local-client.ts'
import { logsCommand } from './logs-command.ts'
import { clientFor, guarded, type CommandIo } from './server-io.ts'
import { withServerOptions, type OutputOptions, type ServerOptions } from './server-options.ts'
import { submitCommand } from './submit-command.ts'
import { trialsCommand } from './trials-command.ts'

type Options = ServerOptions & OutputOptions

/**
 * The commands that talk to a running `tunewell serve` (docs/api.md, "Command line against a
 * server"). Each reports its exit code through `finish`: 0 done, 1 the server refused or cannot
 * be reached, 2 bad input on this side.
 */
export function registerServerCommands(program: Command, finish: (code: number) => void, io: CommandIo = { out: process.stdout, err: process.stderr }): void {
  withServerOptions(program.command('submit')
    .description('submit an Experiment file to a tunewell server (checked there like validate)')
    .argument('<file>', 'Experiment YAML (or JSON)'))
    .action(async (file: string, opts: Options) => finish(await guarded(io, () => submitCommand(file, clientFor(opts), opts.output, io))))

  withHome(program.command('list')
    .description('list the experiments on a tunewell server, newest first')
    .option('--status <states>', 'only these states, comma-separated (Created, Running, Restarting, Succeeded, Failed)')
    .option('--name <text>', 'only names containing this text (case-insensitive)')
    .option('--label <key=value>', 'only experiments with this label; repeat for several', collect, [] as string[]))
    .action(async (opts: Options & { status?: string; name?: string; label: string[] }) =>
      finish(await withLocalClient(io, opts, (client) => listCommand(opts, client, opts.output, io))))

  withHome(program.command('get')
    .description('show an experiment on a tunewell server: state, trial counts, best trial')
    .argument('<name>', 'experiment name'))
    .action(async (name: string, opts: Options & LocalOptions) => finish(await withLocalClient(io, opts, (client) => getCommand(name, client, opts.output, io))))

  withHome(program.command('trials')
    .description('list the trials of an experiment on a tunewell server')
    .argument('<name>', 'experiment name')
    .addOption(new Option('--sort <key>', 'sort by (default number)').choices(['objective', 'number', 'createdAt']))
    .addOption(new Option('--order <order>', 'asc or desc (default asc; for objective, best first)').choices(['asc', 'desc']))
    .option('--state <states>', 'only these states, comma-separated (e.g. Running,Pending)')
    .option('--limit <n>', 'at most this many trials, 1-1000 (default 100); with --all, the page size', wholeNumber(1, 1000))
    .option('--all', 'every trial, page after page'))
    .action(async (name: string, opts: Options & { sort?: 'objective' | 'number' | 'createdAt'; order?: 'asc' | 'desc'; state?: string; limit?: number; all?: boolean }) =>
      finish(await withLocalClient(io, opts, (client) => trialsCommand(name, opts, client, opts.output, io))))

  withHome(program.command('logs')
    .description('print a trial\'s output (stdout and stderr) from a tunewell server')
    .argument('<name>', 'experiment name')
    .argument('<trial>', 'trial name, as `tunewell trials` shows it')
    .option('--tail <n>', 'only the last N lines', wholeNumber(1, 100_000))
    .option('-f, --follow', 'keep printing as the trial writes, until it ends'), false)
    .action(async (name: string, trial: string, opts: ServerOptions & { tail?: number; follow?: boolean }) =>
      finish(await withLocalClient(io, opts, (client) => logsCommand(name, trial, opts, client, io))))

  withHome(program.command('export')
    .description('every trial of an experiment as CSV or JSON (parameters, objective, metrics, state, times), to stdout or a file')
    .argument('<name>', 'experiment name')
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('-o, --output <file>', 'write to this file instead of stdout'), false)
    .action(async (name: string, opts: ServerOptions & { format: 'csv' | 'json'; output?: string }) =>
      finish(await withLocalClient(io, opts, (client) => exportCommand(name, { format: opts.format, ...(opts.output !== undefined ? { output: opts.output } : {}) }, client, io))))

  withHome(program.command('best')
    .description('show the best trial so far of an experiment on a tunewell server: parameters and metrics')
    .argument('<name>', 'experiment name'))
    .action(async (name: string, opts: Options & LocalOptions) => finish(await withLocalClient(io, opts, (client) => bestCommand(name, client, opts.output, io))))

  withServerOptions(program.command('stop')
    .description('stop an experiment on a tunewell server (Succeeded, ExperimentStopped; running trials are killed)')
    .argument('<name>', 'experiment name'))
    .action(async (name: string, opts: Options) => finish(await guarded(io, () => stopCommand(name, clientFor(opts), opts.output, io))))

  withServerOptions(program.command('enqueue')
    .description('queue parameter sets for the next trials of an experiment on a tunewell server, before its algorithm\'s suggestions')
    .argument('<name>', 'experiment name')
    .option('--params <k=v,...>', 'one parameter set, every parameter given; repeat for several', collect, [] as string[])
    .option('--file <file>', 'a JSON list of parameter sets, e.g. [{"lr": 0.05, "optimizer": "adam"}]'))
    .action(async (name: string, opts: Options & { params: string[]; file?: string }) =>
      finish(await guarded(io, () => enqueueCommand(name, opts, clientFor(opts), io))))

  withServerOptions(program.command('resume')
    .description('resume a stopped experiment on a tunewell server (resumePolicy LongRunning or FromVolume)')
    .argument('<name>', 'experiment name'))
    .action(async (name: string, opts: Options) => finish(await guarded(io, () => resumeCommand(name, clientFor(opts), opts.output, io))))

  withServerOptions(program.command('delete')
    .description('stop and delete an experiment on a tunewell server, with its trials and their data')
    .argument('<name>', 'experiment name')
    .option('--yes', 'do not ask (required when there is no terminal, e.g. in CI)'), false)
    .action(async (name: string, opts: ServerOptions & { yes?: boolean }) => finish(await guarded(io, () => deleteCommand(name, opts, clientFor(opts), io))))
}

/**
 * --server, --token (and -o) as for every server command, and --home: without a server these
 * commands read the local database (cli/local-client.ts).
 */
function withHome(command: Command, output = true): Command {
  return withServerOptions(command, output)
    .option('--home <dir>', 'without --server: read the database of this folder\'s .tunewell (as `run --home`), or DATABASE_URL')
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value]
}

function wholeNumber(min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text)
    if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`)
    return n
  }
}
