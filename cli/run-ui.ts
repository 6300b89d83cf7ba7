import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../api/app.ts'
import { allowedHostsProblem, ANY_HOST_NEEDS_TOKEN, splitAllowedHosts } from '../api/host-policy.ts'
import { runsDir } from '../controller/create-local-runner.ts'
import type { Store } from '../db/store.ts'
import { closeServer } from './close-server.ts'
import { isLoopback } from './is-loopback.ts'
import { parsePort } from './parse-port.ts'
import { prepareDashboard } from './prepare-dashboard.ts'

/** `run --ui`'s own flags. */
export interface RunUiOptions {
  /** Default 127.0.0.1; only loopback is accepted. */
  readonly host?: string
  /** Default TUNEWELL_PORT, then 8080; 0 picks a free port. */
  readonly port?: string
  /** Keep serving after the run ends, until Ctrl-C. */
  readonly wait?: boolean
}

export interface RunUiAddress {
  readonly host: string
  readonly port: number
  /** TUNEWELL_ALLOWED_HOSTS: names answered besides loopback's (api/host-policy.ts), as for `serve`. */
  readonly allowedHosts: readonly string[]
}

/**
 * Checks --host and --port before anything is opened or run: the address, or the message for
 * the user. TUNEWELL_HOST is not read: it is `serve`'s setting and may well be 0.0.0.0.
 * TUNEWELL_ALLOWED_HOSTS is: it only lets a name through that leads to this loopback port.
 */
export function resolveRunUiAddress(options: RunUiOptions, env: NodeJS.ProcessEnv): RunUiAddress | string {
  const host = options.host ?? '127.0.0.1'
  const portText = options.port ?? env.TUNEWELL_PORT ?? '8080'
  const port = parsePort(portText)
  if (port === undefined) return `--port must be a whole number from 0 to 65535, got ${JSON.stringify(portText)}`
  // No tokens here: the dashboard can stop and delete experiments, so whoever reaches the port
  // must already be on this machine. `serve` is the command for a shared, authenticated server.
  if (!isLoopback(host)) {
    return `run --ui serves the dashboard without authentication, so only on loopback (127.0.0.1, ::1, localhost), not on ${host}. ` +
      'To share it, use `tunewell serve` with tokens (docs/api.md).'
  }
  const allowedHosts = splitAllowedHosts(env.TUNEWELL_ALLOWED_HOSTS ?? '')
  const badHost = allowedHostsProblem(allowedHosts)
  if (badHost !== undefined) return `TUNEWELL_ALLOWED_HOSTS: ${badHost}`
  // run --ui has no tokens: `*` would open it to DNS-rebinding pages.
  if (allowedHosts.includes('*')) return `TUNEWELL_ALLOWED_HOSTS: ${ANY_HOST_NEEDS_TOKEN} (run --ui takes no token; \`tunewell serve\` does)`
  return { host, port, allowedHosts }
}

export interface StartRunUiOptions {
  readonly store: Store
  /** The `.tunewell` folder (trial logs; the dashboard bundle where ui/ is read-only). */
  readonly home: string
  readonly experimentName: string
  readonly address: RunUiAddress
  readonly err: NodeJS.WritableStream
  /** Resolves once this process no longer runs the experiment's trials (asked before a delete). */
  readonly detach: (experimentId: string) => Promise<void>
}

export interface RunUi {
  /** The experiment's page on the dashboard, or its API resource when the dashboard could not be built. */
  readonly url: string
  readonly dashboard: boolean
  close(): Promise<void>
}

/**
 * The API and the dashboard on the run's own store, in the run's process. Live updates need
 * nothing more: the event streams poll the events table the runner appends to. Returns the
 * message for the user when it cannot listen (the port taken, most often).
 */
export async function startRunUi(o: StartRunUiOptions): Promise<RunUi | string> {
  const dashboardDir = await prepareDashboard(o.home, o.err)
  const app: FastifyInstance = await buildApp({
    store: o.store,
    ...(dashboardDir !== undefined ? { dashboardDir } : {}),
    // The runner notices stops and count changes by polling; only a delete must wait for it.
    control: { wake: () => {}, detach: o.detach },
    // Nothing here would run a submitted experiment: refuse it rather than let it sit in Created.
    admit: () => [{
      path: '',
      message: `this is \`tunewell run --ui\`, which runs only "${o.experimentName}"; submit experiments to \`tunewell serve\` instead`,
    }],
    trialLogPath: (experiment, trial) => join(runsDir(o.home, experiment), trial, 'output.log'),
    listenHost: o.address.host,
    allowedHosts: o.address.allowedHosts,
    // Only failures: a line per event would scroll the progress bar away.
    logger: { level: 'error', stream: process.stderr },
  })
  const { host, port } = o.address
  try {
    await app.listen({ host, port })
  } catch (error) {
    await app.close()
    const code = (error as NodeJS.ErrnoException).code
    return code === 'EADDRINUSE'
      ? `port ${port} on ${host} is already in use: pick another with --port (--port 0 picks a free one)`
      : `cannot listen on ${host}:${port}: ${(error as Error).message}`
  }
  const address = app.server.address() as AddressInfo
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const page = dashboardDir !== undefined ? `/experiments/${encodeURIComponent(o.experimentName)}` : `/api/v1/experiments/${encodeURIComponent(o.experimentName)}`
  return { url: `http://${shown}:${address.port}${page}`, dashboard: dashboardDir !== undefined, close: () => closeApp(app) }
}

/** The event streams read the events table every 250 ms: this long lets the run's last events reach open pages. */
const LAST_EVENTS_MS = 600
async function closeApp(app: FastifyInstance): Promise<void> {
  await sleep(LAST_EVENTS_MS)
  await closeServer(app)
}
