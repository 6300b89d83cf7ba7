import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { createSecureContext } from 'node:tls'
import { join, resolve } from 'node:path'
import { InvalidSpecError } from '../core/errors.ts'
import { MAX_PARALLEL_TRIALS_ENV, MAX_PARALLEL_TRIALS_USAGE, parseMaxParallelTrials } from '../core/spec/index.ts'
import { openStore, resolveStoreOptions } from '../db/open-store.ts'
import { buildApp } from '../api/app.ts'
import { DEFAULT_BODY_LIMIT, DEFAULT_HEARTBEAT_TIMEOUT_SECONDS } from '../api/app-options.ts'
import { parseTokensFile } from '../api/access-tokens.ts'
import { allowedHostsProblem, ANY_HOST_NEEDS_TOKEN, splitAllowedHosts } from '../api/host-policy.ts'
import { TunewellMetrics } from '../api/metrics/tunewell-metrics.ts'
import { instrumentAsk } from '../api/metrics/instrument-ask.ts'
import { runsDir } from '../controller/create-local-runner.ts'
import { ExperimentSupervisor } from '../controller/experiment-supervisor.ts'
import { LEASE_TTL_ENV, LEASE_TTL_USAGE, leaseTtlFromEnv } from '../controller/experiment-lease.ts'
import { SuggestionWorkerPool } from '../suggestion/suggestion-worker-pool.ts'
import { closeServer } from './close-server.ts'
import { isLoopback } from './is-loopback.ts'
import { parsePort } from './parse-port.ts'
import { prepareDashboard } from './prepare-dashboard.ts'
import { shortTokenMessage, type SourcedToken } from './short-tokens.ts'
import { watchForStop } from './until-stopped.ts'
import { ClusterUnavailableError, createTrialPlacement, parseExecutorFlags, type ExecutorFlags, type TrialPlacement } from './create-executor.ts'
import { ExperimentOperator } from '../controller/kubernetes/operator/experiment-operator.ts'
import { ExperimentStatusWriter } from '../controller/kubernetes/operator/experiment-status-writer.ts'
import { statusDuty } from '../controller/kubernetes/operator/status-duty.ts'
import { operatorAnnotationIssues, operatorOwner } from '../controller/kubernetes/operator/operator-ownership.ts'
import { parseWatchNamespaces, WATCH_NAMESPACES_ENV } from '../controller/kubernetes/operator/watch-namespaces.ts'
import { withParallelLimit } from '../api/operations/parallel-limit-admission.ts'

export interface ServeOptions extends ExecutorFlags {
  /** Default TUNEWELL_HOST, then 127.0.0.1. */
  readonly host?: string
  /** Default TUNEWELL_PORT, then 8080; 0 picks a free port (the URL printed says which). */
  readonly port?: string
  /** Folder holding `.tunewell/`; relative trial commands resolve here too. */
  readonly home?: string
  /** `<token> admin|read` per line; TUNEWELL_TOKEN adds an admin token. */
  readonly tokens?: string
  /**
   * Comma-separated host names answered besides loopback's (and, beyond loopback, IP addresses
   * and this machine's name): a reverse proxy's or a DNS name; `*` any. Default TUNEWELL_ALLOWED_HOSTS.
   */
  readonly allowedHosts?: string
  /** Listen beyond loopback with no token at all. */
  readonly allowUnauthenticated?: boolean
  /** Run submitted trialTemplate commands here; default: only when listening on loopback. */
  readonly localExecution?: boolean
  readonly bodyLimit?: string
  readonly logLevel?: string
  /** Ask/tell: seconds without a heartbeat before a trial is handed to another worker; default 300. */
  readonly heartbeatTimeout?: string
  /** The most parallelTrialCount a submission may ask for; default TUNEWELL_MAX_PARALLEL_TRIALS, then 256. */
  readonly maxParallelTrials?: string
  /**
   * Operator mode (needs the kubernetes executor): the cluster's Experiment resources are run
   * and get Katib's status back (controller/kubernetes/operator/).
   */
  readonly watchExperiments?: boolean
  /** With watchExperiments: comma-separated namespaces to watch; default TUNEWELL_WATCH_NAMESPACES, else all. */
  readonly namespaces?: string
  /** false: API only, nothing served at `/` (the dashboard is built on start otherwise). */
  readonly dashboard?: boolean
  /** PEM certificate (chain) to serve https with; default TUNEWELL_TLS_CERT. Needs tlsKey. */
  readonly tlsCert?: string
  /** PEM private key of tlsCert; default TUNEWELL_TLS_KEY. */
  readonly tlsKey?: string
  /** Stops the server like SIGTERM does (tests). */
  readonly signal?: AbortSignal
}

/**
 * `tunewell serve`: the API and the controller in one process on one store. Returns the exit
 * code: 0 after a clean shutdown (SIGINT/SIGTERM), 2 for bad options, 3 when it cannot listen
 * or reach the database (or, with --executor kubernetes, use the cluster).
 */
export async function serveCommand(options: ServeOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const env = process.env
  const host = options.host ?? env.TUNEWELL_HOST ?? '127.0.0.1'
  const port = parsePort(options.port ?? env.TUNEWELL_PORT ?? '8080')
  const bodyLimit = Number(options.bodyLimit ?? DEFAULT_BODY_LIMIT)
  if (port === undefined) return usage(err, `--port must be a whole number from 0 to 65535, got ${JSON.stringify(options.port ?? env.TUNEWELL_PORT)}`)
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1024) return usage(err, '--body-limit must be a whole number of bytes, at least 1024')
  const heartbeatTimeoutSeconds = Number(options.heartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT_SECONDS)
  if (!Number.isFinite(heartbeatTimeoutSeconds) || heartbeatTimeoutSeconds <= 0) {
    return usage(err, `--heartbeat-timeout must be a positive number of seconds, got ${JSON.stringify(options.heartbeatTimeout)}`)
  }
  const maxParallelTrials = parseMaxParallelTrials(options.maxParallelTrials ?? env[MAX_PARALLEL_TRIALS_ENV])
  if (maxParallelTrials === undefined) {
    return usage(err, `${MAX_PARALLEL_TRIALS_USAGE}, got ${JSON.stringify(options.maxParallelTrials ?? env[MAX_PARALLEL_TRIALS_ENV])}`)
  }
  const leaseTtlMs = leaseTtlFromEnv(env)
  if (leaseTtlMs === undefined) return usage(err, `${LEASE_TTL_USAGE}, got ${JSON.stringify(env[LEASE_TTL_ENV])}`)
  const suggestionWorkers = parseWorkers(env.TUNEWELL_SUGGESTION_WORKERS ?? '1')
  if (suggestionWorkers === undefined) {
    return usage(err, `TUNEWELL_SUGGESTION_WORKERS must be a whole number from 1 to 64, got ${JSON.stringify(env.TUNEWELL_SUGGESTION_WORKERS)}`)
  }
  const tokens = await loadTokens(options.tokens, env.TUNEWELL_TOKEN)
  const loopback = isLoopback(host)
  const weakTokens = loopback ? undefined : shortTokenMessage(tokens, host)
  if (weakTokens !== undefined) return usage(err, weakTokens)
  const allowedHosts = splitAllowedHosts(options.allowedHosts ?? env.TUNEWELL_ALLOWED_HOSTS ?? '')
  const badHost = allowedHostsProblem(allowedHosts)
  if (badHost !== undefined) return usage(err, `${options.allowedHosts !== undefined ? '--allowed-hosts' : 'TUNEWELL_ALLOWED_HOSTS'}: ${badHost}`)
  if (allowedHosts.includes('*') && tokens.length === 0) return usage(err, `${ANY_HOST_NEEDS_TOKEN}, or set a token (TUNEWELL_TOKEN, --tokens)`)
  if (!loopback && tokens.length === 0 && !options.allowUnauthenticated) {
    return usage(err, `refusing to listen on ${host} without authentication: anyone who can reach it could submit experiments. ` +
      'Set TUNEWELL_TOKEN or pass --tokens FILE, or pass --allow-unauthenticated if that is really intended.')
  }
  const tls = await loadTls(options.tlsCert ?? env.TUNEWELL_TLS_CERT, options.tlsKey ?? env.TUNEWELL_TLS_KEY)
  if (typeof tls === 'string') return usage(err, tls)
  const choice = parseExecutorFlags(options, env)
  if (typeof choice === 'string') return usage(err, choice)
  const operator = operatorNamespaces(options, env, choice.kind)
  if (typeof operator === 'string') return usage(err, operator)
  // Running submitted commands is running other people's programs: only by default where only
  // this machine's users can submit.
  const localExecution = options.localExecution ?? loopback
  const base = resolve(options.home ?? process.cwd())
  const home = join(base, '.tunewell')
  let placement: TrialPlacement
  try {
    placement = await createTrialPlacement(choice, operator ? operatorOwner : undefined)
  } catch (error) {
    if (!(error instanceof ClusterUnavailableError)) throw error
    err.write(`error: ${error.message}\n`)
    return error.exitCode
  }
  const store = await openStore(resolveStoreOptions(env, home)).catch(async (error: unknown) => {
    await placement.close()
    throw error
  })
  // Push tokens are signed with the database's key: every replica, and this one after a restart, checks them.
  await placement.push?.useStore(store).catch(async (error: unknown) => {
    await store.destroy()
    await placement.close()
    throw error
  })
  const remote = placement.executor
    ? { executor: placement.executor, name: 'Kubernetes', check: placement.check, ...(placement.push ? { push: placement.push } : {}) }
    : undefined
  // Model-based algorithms (a GP fit takes 100 ms or more) run in worker threads, so the
  // event loop keeps answering HTTP requests and tending trials meanwhile; `run` asks in-process.
  const suggestionPool = new SuggestionWorkerPool({ size: suggestionWorkers })
  // One registry for the API and the controller: /metrics shows the runners' suggestion times too.
  const metrics = new TunewellMetrics()
  const ask = instrumentAsk(suggestionPool.ask, metrics)
  let app: Awaited<ReturnType<typeof buildApp>> | undefined
  let operatorMode: ExperimentOperator | undefined
  const supervisor = new ExperimentSupervisor({
    store, home, baseDir: base, localExecution, ask, leaseTtlMs, maxParallelTrials, ...(remote ? { remote } : {}),
    log: {
      info: (message) => app?.log.info(message),
      warn: (message) => app?.log.warn(message),
      error: (message, error) => app?.log.error({ err: error }, message),
    },
  })
  // From here on a SIGTERM (a rolling update right after the start) is a clean shutdown once started.
  const stop = watchForStop(options.signal)
  try {
    const dashboardDir = options.dashboard === false ? undefined : await prepareDashboard(home, err)
    app = await buildApp({
      store,
      ...(dashboardDir !== undefined ? { dashboardDir } : {}),
      control: { wake: (id) => supervisor.wake(id), detach: (id) => supervisor.detach(id) },
      // The operator's mark (operator-ownership.ts) is its own: never taken from a submission or a patch.
      admit: (experiment) => [...operatorAnnotationIssues(experiment), ...(experiment.spec.trialTemplate ? placement.check(experiment) : [])],
      trialLogPath: (experiment, trial) => join(runsDir(home, experiment), trial, 'output.log'),
      tokens,
      ...(tls ? { https: tls } : {}),
      listenHost: host,
      allowedHosts,
      bodyLimit,
      heartbeatTimeoutSeconds,
      maxParallelTrials,
      suggest: ask,
      metrics,
      logger: { level: options.logLevel ?? 'info', stream: process.stderr },
    })
    try {
      await app.listen({ host, port })
    } catch (error) {
      err.write(`error: cannot listen on ${host}:${port}: ${(error as Error).message}\n`)
      return 3
    }
    const address = app.server.address() as AddressInfo
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
    const scheme = tls ? 'https' : 'http'
    out.write(`tunewell listening on ${scheme}://${shown}:${address.port}\n`)
    // With tokens, the link signs the browser in: the page exchanges the token for a cookie and
    // drops it from the address; after `#` it is never sent to the server or written to its logs.
    const signIn = tokens.find((t) => t.role === 'admin') ?? tokens[0]
    if (dashboardDir !== undefined) out.write(`  dashboard: ${scheme}://${shown}:${address.port}/${signIn ? `#token=${encodeURIComponent(signIn.token)}` : ''}\n`)
    out.write(`  database: ${store.backend === 'pglite' ? `embedded, ${join(home, 'db')}` : 'PostgreSQL (DATABASE_URL)'}; ` +
      `auth: ${tokens.length > 0 ? `${tokens.length} token(s)` : 'none'}; ` +
      (remote ? `trials: ${placement.description}${placement.push ? `, pushing metrics to ${choice.kind === 'kubernetes' ? choice.reportUrl?.origin : ''}` : ''}${placement.push?.katibGrpcAddress ? `, Katib's gRPC API at ${placement.push.katibGrpcAddress}` : ''}\n` : `local trial execution: ${localExecution ? 'on' : 'off'}\n`))
    if (operator && placement.kubeConfig) {
      const log = {
        info: (message: string) => app?.log.info(message),
        warn: (message: string) => app?.log.warn(message),
        error: (message: string, error: unknown) => app?.log.error({ err: error }, message),
      }
      operatorMode = new ExperimentOperator({
        kubeConfig: placement.kubeConfig,
        store,
        ...(operator.namespaces ? { namespaces: operator.namespaces } : {}),
        // What a submission to this server gets (api/operations/check-submission.ts, with the same `admit`).
        admit: withParallelLimit((experiment) => placement.check(experiment), maxParallelTrials),
        wake: (id) => supervisor.wake(id),
        detach: (id) => supervisor.detach(id),
        status: new ExperimentStatusWriter({ kubeConfig: placement.kubeConfig, store, log }),
        // The replica that runs an experiment keeps its status; any replica while none runs it.
        writesStatusOf: statusDuty(store, (id) => supervisor.running.includes(id)),
        log,
        ...resyncFromEnv(env),
      })
      out.write(`  operator: running the Experiment resources (kubeflow.org/v1beta1) of ${operator.namespaces ? `namespace(s) ${operator.namespaces.join(', ')}` : 'all namespaces'}\n`)
      operatorMode.start()
    }
    supervisor.start()
    await stop.stopped
    out.write('stopping: closing the server and the running trials\n')
    return 0
  } finally {
    stop.dispose()
    await boundedShutdown(err, [
      ['the HTTP server', async () => app && closeServer(app)],
      ['operator mode', async () => operatorMode?.stop()],
      ['the experiments\' runners', () => supervisor.stop()],
      ['the suggestion workers', () => suggestionPool.close()],
      ['the database', () => store.destroy()],
      ['the cluster connection', () => placement.close()],
    ])
  }
}

/** How long a shutdown may take before serve gives up waiting (Kubernetes' default grace period is 30 s). */
const SHUTDOWN_WAIT_MS = 20_000

/**
 * The shutdown steps, in order, within SHUTDOWN_WAIT_MS in all: a step still waiting then (an API
 * or database call that never gets an answer) is named and left, and the command returns, so the
 * process exits (cli/tunewell.ts) instead of hanging until it is killed. Nothing is lost by it:
 * every controller step is idempotent, leases expire, workloads on a cluster are re-attached by
 * the next controller, and local trials are ended by their watchdog.
 */
async function boundedShutdown(err: NodeJS.WritableStream, steps: readonly (readonly [string, () => Promise<unknown>])[]): Promise<void> {
  let current = ''
  const all = (async () => {
    for (const [name, step] of steps) {
      current = name
      await step()
    }
  })()
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), SHUTDOWN_WAIT_MS)))
  try {
    if (await Promise.race([all.then(() => false), late])) {
      err.write(`stopping: still waiting for ${current} after ${SHUTDOWN_WAIT_MS / 1000} s; exiting without it (nothing is lost: the next start picks up where this one stopped)\n`)
    }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Operator mode's flags: undefined when off, the namespaces to watch (undefined: all) when on,
 * or what is wrong with them.
 */
function operatorNamespaces(options: ServeOptions, env: NodeJS.ProcessEnv, executor: string): { namespaces: readonly string[] | undefined } | undefined | string {
  if (!options.watchExperiments) {
    return options.namespaces !== undefined ? '--namespaces only applies with --watch-experiments (operator mode)' : undefined
  }
  if (executor !== 'kubernetes') {
    return '--watch-experiments runs the cluster\'s Experiment resources, so it needs the kubernetes executor: add --executor kubernetes (or set TUNEWELL_EXECUTOR=kubernetes)'
  }
  const source = options.namespaces !== undefined ? '--namespaces' : WATCH_NAMESPACES_ENV
  const namespaces = parseWatchNamespaces(options.namespaces ?? env[WATCH_NAMESPACES_ENV], source)
  if (typeof namespaces === 'string') return namespaces
  return { namespaces }
}

/** TUNEWELL_OPERATOR_RESYNC_MS: how often operator mode judges every resource again (tests shorten it). */
function resyncFromEnv(env: NodeJS.ProcessEnv): { resyncMs?: number } {
  const ms = Number(env.TUNEWELL_OPERATOR_RESYNC_MS)
  return Number.isSafeInteger(ms) && ms >= 100 ? { resyncMs: ms } : {}
}

function parseWorkers(text: string): number | undefined {
  const workers = Number(text)
  return /^\d+$/.test(text.trim()) && workers >= 1 && workers <= 64 ? workers : undefined
}

function usage(err: NodeJS.WritableStream, message: string): number {
  err.write(`error: ${message}\n`)
  return 2
}

async function loadTokens(file: string | undefined, envToken: string | undefined): Promise<SourcedToken[]> {
  const tokens: SourcedToken[] = []
  if (envToken?.trim()) tokens.push({ token: envToken.trim(), role: 'admin', source: 'TUNEWELL_TOKEN' })
  if (file === undefined) return tokens
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new InvalidSpecError([{ path: '', message: `cannot read the tokens file: ${(error as Error).message}` }], file)
  }
  const parsed = parseTokensFile(text)
  if (parsed.issues.length > 0) throw new InvalidSpecError(parsed.issues, file)
  if (parsed.tokens.length === 0) throw new InvalidSpecError([{ path: '', message: 'the tokens file holds no token' }], file)
  // Where each token is, so a refusal can point at its line without showing it.
  const lines = text.split(/\r?\n/).map((line) => line.replace(/#.*$/, '').trim().split(/\s+/)[0])
  const fromFile = parsed.tokens.map((t) => ({ ...t, source: `${file}:${lines.indexOf(t.token) + 1}` }))
  return [...tokens, ...fromFile.filter((t) => !tokens.some((e) => e.token === t.token))]
}

/**
 * The certificate and key for https, read once at the start; undefined for plain http, or what
 * is wrong. kubectl sends a bearer token only over https (client-go), so a server with tokens
 * that kubectl should reach serves https (docs/kubectl.md).
 */
async function loadTls(certPath: string | undefined, keyPath: string | undefined): Promise<{ cert: Buffer; key: Buffer } | undefined | string> {
  const cert = certPath?.trim() || undefined
  const key = keyPath?.trim() || undefined
  if (cert === undefined && key === undefined) return undefined
  if (cert === undefined || key === undefined) {
    return `--tls-cert and --tls-key go together (TUNEWELL_TLS_CERT, TUNEWELL_TLS_KEY): give ${cert === undefined ? 'the certificate' : 'the key'} too`
  }
  const read = async (path: string, what: string) => {
    const text = await readFile(path).catch((error: NodeJS.ErrnoException) => `cannot read the TLS ${what} ${path}: ${error.code ?? error.message}`)
    if (typeof text === 'string') return text
    const marker = what === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/
    return marker.test(text.toString('latin1')) ? text : `the TLS ${what} ${path} holds no PEM ${what === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY'} block`
  }
  const [certPem, keyPem] = await Promise.all([read(cert, 'certificate'), read(key, 'key')])
  if (typeof certPem === 'string') return certPem
  if (typeof keyPem === 'string') return keyPem
  try {
    createSecureContext({ cert: certPem, key: keyPem })
  } catch (error) {
    return `the TLS certificate ${cert} and key ${key} cannot be used together: ${(error as Error).message}`
  }
  return { cert: certPem, key: keyPem }
}

