import { isTrialCompleted } from '../core/trial.ts'
import type { Store } from '../db/store.ts'
import { pushTokens, startPushReceiver, TrialNotHereError, type PushReceiver, type PushRoute, type PushTokens } from '../metrics-collector/index.ts'
import { startKatibDbManager, type KatibDbManager } from '../metrics-collector/katib-grpc/katib-db-manager.ts'
import { reportThroughReceiver } from '../metrics-collector/katib-grpc/report-through-receiver.ts'
import type { ExperimentRunner } from './experiment-runner.ts'
import { lineageFirstStep } from './lineage-first-step.ts'

/** The address other replicas reach this one's receiver at: the pod's IP (downward API), in deploy/base/deployment.yaml. */
export const POD_IP_ENV = 'POD_IP'

/** How long a client waits before pushing again while no controller runs the trial (a takeover takes seconds). */
const RETRY_AFTER_S = 2

/**
 * One push receiver for every runner of this process, at an address trials elsewhere can reach
 * (pods on a cluster cannot reach a loopback port): `--report-url`. Each runner registers while
 * it runs; a push goes to the runner whose trial it is.
 *
 * Several replicas behind one Service: the tokens are signed with the database's key
 * (Store.pushKeys), so every replica checks every trial's token, before and after restarts. A
 * push for a trial that no runner here runs is sent on to the replica that holds the trial's
 * experiment lease, at the `pushUrl` that replica wrote into the lease (this pod's IP and the
 * push port); while no replica holds it (a takeover in progress) it is answered 503 with
 * Retry-After, and once the trial has finished 410.
 *
 * With `katibGrpcPort`, Katib's DBManager gRPC API too, on every interface at that port, for
 * trials that call the Katib SDK's report_metrics() (docs/kubernetes.md): each trial's
 * `grpc_proxy` names that port at the report URL's host with the trial's name and token, so the
 * SDK's dial of katib-db-manager.kubeflow:6789 arrives here as that trial and nobody else. A
 * report takes the path of a push with that token (the same step counter, the same forwarding
 * to the replica that runs the trial).
 */
export class PushHub {
  readonly #receiver: PushReceiver
  readonly #katib: KatibDbManager | undefined
  readonly #runners: Set<ExperimentRunner>
  readonly #state: { store?: Store; tokens?: PushTokens }
  /** Where other replicas forward pushes for this one's trials. */
  readonly internalUrl: string

  private constructor(receiver: PushReceiver, katib: KatibDbManager | undefined, runners: Set<ExperimentRunner>, state: { store?: Store; tokens?: PushTokens }, internalUrl: string) {
    this.#receiver = receiver
    this.#katib = katib
    this.#runners = runners
    this.#state = state
    this.internalUrl = internalUrl
  }

  /** `host:port` that trials are told for Katib's DBManager gRPC API; undefined when it is not served. */
  get katibGrpcAddress(): string | undefined {
    return this.#katib?.advertised
  }

  /**
   * Listens on every interface at the port of `reportUrl` (its scheme's default if it names none).
   * Pushes are answered 503 (retry) until `useStore` has read the signing key.
   */
  static async start(reportUrl: URL, env: Readonly<Record<string, string | undefined>> = process.env, options: PushHubOptions = {}): Promise<PushHub> {
    const runners = new Set<ExperimentRunner>()
    const state: { store?: Store; tokens?: PushTokens } = {}
    const port = Number(reportUrl.port || (reportUrl.protocol === 'https:' ? 443 : 80))
    let internalUrl = ''
    const receiver = await startPushReceiver(
      async (trialName, points) => {
        for (const runner of runners) {
          let stored: Promise<void>
          try {
            stored = runner.acceptPush(trialName, points)
          } catch {
            // Not this runner's trial (or no longer running): try the next.
            continue
          }
          // Acknowledged once stored; a failure (the database away, the lease lost) is a 503, retried.
          return stored
        }
        throw new TrialNotHereError(`trial ${trialName} is not running here`)
      },
      {
        host: '0.0.0.0',
        port,
        publicUrl: reportUrl.origin,
        tokens: () => state.tokens,
        route: (trialName, forwarded) => routeElsewhere(state.store, internalUrl, trialName, forwarded),
        storedSteps: (trialName) => storedSteps(state.store, trialName),
      },
    )
    const podIp = env[POD_IP_ENV]?.trim()
    // Without the pod's IP (one process on a machine, tests) replicas share the loopback interface.
    const host = podIp ? (podIp.includes(':') ? `[${podIp}]` : podIp) : '127.0.0.1'
    // receiver.port: for port 0 (tests), the free one it got.
    internalUrl = `http://${host}:${receiver.port}`
    let katib: KatibDbManager | undefined
    if (options.katibGrpcPort !== undefined) {
      try {
        katib = await startKatibDbManager(
          {
            report: reportThroughReceiver(receiver),
            async observations(trialName) {
              const store = state.store
              if (!store) throw new Error('the controller is starting')
              const trial = await store.trials.getByName(trialName)
              return trial && (await store.observations.list(trial.id))
            },
          },
          {
            host: '0.0.0.0',
            port: options.katibGrpcPort,
            tokens: () => state.tokens,
            // Port 0 (tests): the free one it gets, at the report URL's host.
            advertised: (port) => `${reportUrl.hostname}:${port}`,
            tunnel: false,
          },
        )
      } catch (error) {
        await receiver.close()
        throw error
      }
    }
    return new PushHub(receiver, katib, runners, state, internalUrl)
  }

  /** The database whose key signs the tokens and whose leases say which replica runs a trial. */
  async useStore(store: Store): Promise<void> {
    const key = await store.pushKeys.signingKey()
    this.#state.store = store
    this.#state.tokens = pushTokens(key)
  }

  /**
   * The environment that tells one trial where and with what token to push; with Katib's gRPC
   * API, also its grpc_proxy (whose URL holds the token: the Kubernetes executor writes it as
   * `$(TUNEWELL_REPORT_TOKEN)`, read from the trial's Secret).
   */
  envFor(trialName: string): Record<string, string> {
    return {
      TUNEWELL_REPORT_URL: this.#receiver.urlFor(trialName),
      TUNEWELL_REPORT_TOKEN: this.#receiver.tokenFor(trialName),
      ...this.#katib?.envFor(trialName),
    }
  }

  /** Routes pushes to this runner until the returned function is called. */
  register(runner: ExperimentRunner): () => void {
    this.#runners.add(runner)
    return () => void this.#runners.delete(runner)
  }

  async close(): Promise<void> {
    await Promise.all([this.#receiver.close(), this.#katib?.close()])
  }
}

export interface PushHubOptions {
  /** Also serve Katib's DBManager gRPC API on this port (0: a free one); default not at all. */
  readonly katibGrpcPort?: number
}

/** Where a push goes whose trial no runner of this process runs (its token already checked). */
async function routeElsewhere(store: Store | undefined, self: string, trialName: string, forwarded: boolean): Promise<PushRoute> {
  const retry = (why: string): PushRoute => ({ kind: 'answer', status: 503, error: `${why}; retry`, retryAfterS: RETRY_AFTER_S })
  if (!store) return retry(`trial ${trialName} is not running here and the controller is starting`)
  try {
    const trial = await store.trials.getByName(trialName)
    if (!trial) return { kind: 'answer', status: 404, error: `there is no trial named ${trialName}` }
    if (isTrialCompleted(trial.state)) {
      return { kind: 'answer', status: 410, error: `trial ${trialName} has finished (${trial.state}); its metrics are no longer accepted` }
    }
    const lease = await store.leases.get(trial.experimentId)
    const holder = lease && lease.remainingMs > 0 ? lease.holder : undefined
    if (!holder) return retry(`no controller runs trial ${trialName} right now (one is about to take it over)`)
    // Only one hop: the replica that holds the lease and does not run the trial is about to
    // (re-attaching after a takeover) or has just stopped.
    if (forwarded || holder.pushUrl === undefined || holder.pushUrl === self) {
      return retry(`trial ${trialName} is not running at its controller (${holder.host}) yet`)
    }
    return { kind: 'forward', url: holder.pushUrl }
  } catch (error) {
    return retry(`cannot tell which controller runs trial ${trialName}: ${(error as Error).message}`)
  }
}

/**
 * Per metric, one past the highest step stored for the trial; a metric with nothing stored
 * starts where the trial's lineage goes on (lineage-first-step.ts: 0 for a fresh trial; nothing
 * for a trial not known yet).
 */
export async function storedSteps(store: Store | undefined, trialName: string): Promise<Pick<ReadonlyMap<string, number>, 'get'>> {
  const next = new Map<string, number>()
  const trial = store && (await store.trials.getByName(trialName))
  if (!trial) return next
  for (const point of await store.observations.list(trial.id)) next.set(point.name, Math.max(next.get(point.name) ?? 0, point.step + 1))
  const first = await lineageFirstStep(store, trial)
  return first === 0 ? next : { get: (name) => next.get(name) ?? first }
}
