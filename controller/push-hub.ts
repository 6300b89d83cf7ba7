import { startPushReceiver, type PushReceiver } from '../metrics-collector/index.ts'
import type { ExperimentRunner } from './experiment-runner.ts'

/**
 * One push receiver for every runner of this process, at an address trials elsewhere can reach
 * (pods on a cluster cannot reach a loopback port): `--report-url`. Each runner registers while
 * it runs; a push goes to the runner whose trial it is.
 */
export class PushHub {
  readonly #receiver: PushReceiver
  readonly #runners: Set<ExperimentRunner>

  private constructor(receiver: PushReceiver, runners: Set<ExperimentRunner>) {
    this.#receiver = receiver
    this.#runners = runners
  }

  /** Listens on every interface at the port of `reportUrl` (its scheme's default if it names none). */
  static async start(reportUrl: URL): Promise<PushHub> {
    const runners = new Set<ExperimentRunner>()
    const port = Number(reportUrl.port || (reportUrl.protocol === 'https:' ? 443 : 80))
    const receiver = await startPushReceiver((trialName, points) => {
      for (const runner of runners) {
        try {
          runner.acceptPush(trialName, points)
          return
        } catch {
          // Not this runner's trial (or no longer running): try the next.
        }
      }
      throw new Error(`trial ${trialName} is not running`)
    }, { host: '0.0.0.0', port, publicUrl: reportUrl.origin })
    return new PushHub(receiver, runners)
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
