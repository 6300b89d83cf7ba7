import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { ApiConnection } from '../api/client/api-request.ts'
import { TunewellClient } from '../api/client/tunewell-client.ts'
import { TunewellError } from '../core/errors.ts'
import { guarded, type CommandIo } from './server-io.ts'
import { connectionFrom, DEFAULT_SERVER, type ServerOptions } from './server-options.ts'

export interface LocalOptions extends ServerOptions {
  /** The folder holding `.tunewell` (as `run --home`); default the working directory. */
  readonly home?: string
}

/** How long the default address gets to answer before the local database is used instead. */
const PROBE_MS = 1000

/**
 * The client a reading command (list, get, trials, best, logs, export) uses, then what to close.
 * A server named by --server or TUNEWELL_SERVER is used as it is. Otherwise, in this order: a
 * server answering at the default address; the `run` that holds this folder's embedded database
 * (through the address and token it recorded, cli/run-api-record.ts); the API built in this
 * process over the local database (DATABASE_URL, else `.tunewell/db`), called through
 * `app.inject`, so every answer is exactly the API's.
 */
export async function openLocalClient(options: LocalOptions, env: NodeJS.ProcessEnv = process.env): Promise<{ client: TunewellClient; close: () => Promise<void> }> {
  const none = async () => {}
  if (options.server !== undefined || env.TUNEWELL_SERVER?.trim()) return { client: new TunewellClient(connectionFrom(options, env)), close: none }
  const token = options.token ?? (env.TUNEWELL_TOKEN?.trim() || undefined)
  if (await answers(DEFAULT_SERVER)) return { client: new TunewellClient({ server: DEFAULT_SERVER, ...(token ? { token } : {}) }), close: none }
  const home = resolve(options.home ?? process.cwd(), '.tunewell')
  const url = env.DATABASE_URL?.trim()
  // Loaded only on this path: the API, the store and the controller's folders are most of the
  // CLI's start time, and a command given a server needs none of them.
  const { isAlive, readRunApi } = await import('./run-api-record.ts')
  if (!url) {
    const run = readRunApi(home)
    if (run && isAlive(run.pid) && await answers(run.url)) {
      return { client: new TunewellClient({ server: run.url, ...(run.token ? { token: run.token } : {}) }), close: none }
    }
    if (!existsSync(join(home, 'db'))) {
      throw new TunewellError('DATABASE_UNAVAILABLE',
        `no tunewell server answers at ${DEFAULT_SERVER} and there is no local database in ${home}: ` +
        'start `tunewell serve`, or pass --server URL (or TUNEWELL_SERVER); to read the results of `tunewell run`, ' +
        'run this in the folder it ran in or pass the same --home; for PostgreSQL set DATABASE_URL')
    }
  }
  const [{ buildApp }, { openStore, resolveStoreOptions }, { runsDir }] = await Promise.all([
    import('../api/app.ts'), import('../db/open-store.ts'), import('../controller/create-local-runner.ts'),
  ])
  const store = await openStore(resolveStoreOptions(env, home))
  let app: FastifyInstance
  try {
    app = await buildApp({ store, trialLogPath: (experiment, trial) => join(runsDir(home, experiment), trial, 'output.log') })
  } catch (error) {
    await store.destroy()
    throw error
  }
  const connection: ApiConnection = { server: 'http://local', fetch: injectFetch(app) }
  return {
    client: new TunewellClient(connection),
    close: async () => {
      try {
        await app.close()
      } finally {
        await store.destroy()
      }
    },
  }
}

async function answers(server: string): Promise<boolean> {
  try {
    await fetch(`${server}/healthz`, { signal: AbortSignal.timeout(PROBE_MS) })
    return true
  } catch {
    return false
  }
}

/**
 * `fetch` answered by the app in this process. The body is streamed as the route writes it, with
 * its backpressure (`payloadAsStream`): an export of 100,000 trials is read from the database page
 * by page as it is written out, as from a server, instead of being built in memory first.
 */
function injectFetch(app: FastifyInstance): (url: string, init: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const target = new URL(url)
    const res = await app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: target.pathname + target.search,
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      ...(typeof init.body === 'string' ? { payload: init.body } : {}),
      payloadAsStream: true,
    })
    const headers = new Headers()
    for (const [key, value] of Object.entries(res.headers)) {
      if (value === undefined) continue
      for (const v of Array.isArray(value) ? value : [value]) headers.append(key, String(v))
    }
    const empty = res.statusCode === 204 || res.statusCode === 304
    const body = res.stream()
    if (empty) body.destroy()
    return new Response(empty ? null : (Readable.toWeb(body) as ReadableStream<Uint8Array>), { status: res.statusCode, headers })
  }
}

/** Runs a reading command on openLocalClient's client, closing what it opened; a database that cannot be opened is its message and exit 1. */
export async function withLocalClient(io: CommandIo, options: LocalOptions, work: (client: TunewellClient) => Promise<number>): Promise<number> {
  return guarded(io, async () => {
    let opened
    try {
      opened = await openLocalClient(options)
    } catch (error) {
      if (!(error instanceof TunewellError)) throw error
      io.err.write(`error: ${error.message}\n`)
      return 1
    }
    try {
      return await work(opened.client)
    } finally {
      await opened.close()
    }
  })
}
