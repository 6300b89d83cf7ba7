import { join } from 'node:path'
import type { Store } from '../db/store.ts'
import { pushTokens, startPushReceiver, TrialNotHereError } from '../metrics-collector/index.ts'
import { SuggestionService } from '../suggestion/suggestion-service.ts'
import type { AskFunction } from '../suggestion/suggestion-service.ts'
import type { DatabaseOutage } from './database-outage.ts'
import { ExperimentRunner, type Progress } from './experiment-runner.ts'
import { startLocalKatibDbManager } from './local-katib-db-manager.ts'
import { LocalProcessExecutor } from './local-process-executor.ts'
import { storedSteps, type PushHub } from './push-hub.ts'
import type { TrialExecutor } from './trial-executor.ts'

export interface LocalRunnerOptions {
  readonly store: Store
  /** metadata.name of the experiment; its trials' folders go under `<home>/runs/<name>/`. */
  readonly experimentName: string
  /** The `.tunewell` folder. */
  readonly home: string
  /** Relative commands and working directories resolve here. */
  readonly baseDir: string
  readonly pollMs?: number
  readonly onProgress?: (progress: Progress) => void
  /** How suggestions are computed; default askAlgorithm in this thread (serve: a worker pool). */
  readonly ask?: AskFunction
  /** How database outages are waited out; default without limit. */
  readonly outage?: DatabaseOutage
  /** Where trials run; default a LocalProcessExecutor of its own (`--executor kubernetes`: one shared by all runners). */
  readonly executor?: TrialExecutor
  /** Receives pushed metrics at an address trials off this machine reach; default a loopback receiver of its own. */
  readonly push?: PushHub
  /**
   * Also serve Katib's DBManager gRPC API on loopback (Push collector), so a trial calling the
   * Katib SDK's report_metrics() unchanged reports here; needs the loopback receiver (no `push`).
   */
  readonly katibDbManager?: boolean
}

export interface LocalRunner {
  readonly runner: ExperimentRunner
  /** Stops the push receiver; call once `runner.run()` has settled. */
  close(): Promise<void>
}

/** Where a trial's folder (output.log, metrics files) lives; shared by the runner and the API's log route. */
export function runsDir(home: string, experimentName: string): string {
  return join(home, 'runs', experimentName)
}

/**
 * One experiment's local machinery, wired the same way for `tunewell run` and `tunewell
 * serve`: the runner, its process executor, the suggestion service and a push receiver that
 * routes each trial's reported metrics (Push collector) to its collector.
 */
export async function createLocalRunner(options: LocalRunnerOptions): Promise<LocalRunner> {
  let runner: ExperimentRunner | undefined
  const hub = options.push
  const tokens = pushTokens()
  const receiver = hub
    ? undefined
    : await startPushReceiver(
        (trialName, points) => {
          if (!runner) throw new Error('not ready')
          try {
            return runner.acceptPush(trialName, points)
          } catch (error) {
            throw new TrialNotHereError(`${(error as Error).message}; only a trial that runs reports metrics`)
          }
        },
        { tokens, storedSteps: (trialName) => storedSteps(options.store, trialName) },
      )
  const katib = options.katibDbManager && receiver ? await startLocalKatibDbManager(options.store, receiver, tokens) : undefined
  runner = new ExperimentRunner({
    store: options.store,
    suggestions: new SuggestionService(options.store, options.ask),
    executor: options.executor ?? new LocalProcessExecutor(),
    launch: { baseDir: options.baseDir, runDir: runsDir(options.home, options.experimentName), env: {} },
    pushEnv: (trialName) => hub?.envFor(trialName) ?? {
      TUNEWELL_REPORT_URL: receiver!.urlFor(trialName),
      TUNEWELL_REPORT_TOKEN: receiver!.tokenFor(trialName),
      ...katib?.envFor(trialName),
    },
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.outage ? { outage: options.outage } : {}),
  })
  const unregister = hub?.register(runner)
  return {
    runner,
    close: async () => {
      unregister?.()
      await receiver?.close()
      await katib?.close()
    },
  }
}
