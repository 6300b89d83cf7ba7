import { Option, type Command } from 'commander'
import type { ApiConnection } from '../api/client/api-request.ts'

export const DEFAULT_SERVER = 'http://127.0.0.1:8080'
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** What every command that talks to `tunewell serve` accepts. */
export interface ServerOptions {
  readonly server?: string
  readonly token?: string
}

export interface OutputOptions {
  readonly output: OutputFormat
}

/** Adds --server and --token, and -o when the command prints a resource. */
export function withServerOptions(command: Command, output = true): Command {
  command
    .option('--server <url>', `the tunewell serve to talk to (default: TUNEWELL_SERVER, else ${DEFAULT_SERVER})`)
    .option('--token <token>', 'bearer token, when the server needs one (default: TUNEWELL_TOKEN)')
  if (output) command.addOption(new Option('-o, --output <format>', 'table, json or yaml').choices(OUTPUT_FORMATS).default('table'))
  return command
}

/** Bad input on this side (exit 2), found before anything was sent. */
export class UsageError extends Error {}

/** Options first, then the environment: a flag given on the command line always wins. */
export function connectionFrom(options: ServerOptions, env: NodeJS.ProcessEnv = process.env): ApiConnection {
  const server = options.server ?? (env.TUNEWELL_SERVER?.trim() || DEFAULT_SERVER)
  const token = options.token ?? (env.TUNEWELL_TOKEN?.trim() || undefined)
  let url: URL | undefined
  try {
    url = new URL(server)
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    const from = options.server !== undefined ? '--server' : 'TUNEWELL_SERVER'
    throw new UsageError(`${from} must be the server's URL, like ${DEFAULT_SERVER}; got ${JSON.stringify(server)}`)
  }
  return { server, ...(token ? { token } : {}) }
}
