import { isTrialCompleted } from '../core/trial.ts'
import type { Store } from '../db/store.ts'
import { pushTokens, startPushReceiver, TrialNotHereError, type PushReceiver, type PushRoute, type PushTokens } from '../metrics-collector/index.ts'
import type { ExperimentRunner } from './experiment-runner.ts'

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
 */
export class PushHub {
  readonly #receiver: PushReceiver
  readonly #runners: Set<ExperimentRunner>
  readonly #state: { store?: Store; tokens?: PushTokens }
  /** Where other replicas forward pushes for this one's trials. */
  readonly internalUrl: string

  private constructor(receiver: PushReceiver, runners: Set<ExperimentRunner>, state: { store?: Store; tokens?: PushTokens }, internalUrl: string) {
    this.#receiver = receiver
    this.#runners = runners
    this.#state = state
    this.internalUrl = internalUrl
  }

  /**
   * Listens on every interface at the port of `reportUrl` (its scheme's default if it names none).
   * Pushes are answered 503 (retry) until `useStore` has read the signing key.
   */
  static async start(reportUrl: URL, env: Readonly<Record<string, string | undefined>> = process.env): Promise<PushHub> {
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
    return new PushHub(receiver, runners, state, internalUrl)
  }

  /** The database whose key signs the tokens and whose leases say which replica runs a trial. */
  async useStore(store: Store): Promise<void> {
    const key = await store.pushKeys.signingKey()
    this.#state.store = store
    this.#state.tokens = pushTokens(key)
  }

  /** The environment that tells one trial where and with what token to push. */
  envFor(trialName: string): Record<string, string> {
    return { TUNEWELL_REPORT_URL: this.#receiver.urlFor(trialName), TUNEWELL_REPORT_TOKEN: this.#receiver.tokenFor(trialName) }
  }

  /** Routes pushes to this runner until the returned function is called. */
  register(runner: ExperimentRunner): () => void {
    this.#runners.add(runner)
    return () => void this.#runners.delete(runner)
  }

  close(): Promise<void> {
    return this.#receiver.close()
  }
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

/** Per metric, one past the highest step stored for the trial (empty for a trial not known yet). */
async function storedSteps(store: Store | undefined, trialName: string): Promise<ReadonlyMap<string, number>> {
  const next = new Map<string, number>()
  const trial = store && (await store.trials.getByName(trialName))
  if (!trial) return next
  for (const point of await store.observations.list(trial.id)) next.set(point.name, Math.max(next.get(point.name) ?? 0, point.step + 1))
  return next
}
