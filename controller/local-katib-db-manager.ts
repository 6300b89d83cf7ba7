import type { Store } from '../db/store.ts'
import { TrialNotHereError, type PushTokens } from '../metrics-collector/index.ts'
import { startKatibDbManager, type KatibDbManager } from '../metrics-collector/katib-grpc/katib-db-manager.ts'
import type { ExperimentRunner } from './experiment-runner.ts'

/**
 * Katib's DBManager gRPC service on loopback for one runner's trials (Push collector): a report
 * goes the way a pushed one does (ExperimentRunner.acceptPush, answered once stored), and
 * GetObservationLog reads what is stored. `tokens` are the push receiver's, so a trial's
 * TUNEWELL_REPORT_TOKEN is good here too.
 */
export function startLocalKatibDbManager(store: Store, runner: () => ExperimentRunner | undefined, tokens: PushTokens): Promise<KatibDbManager> {
  return startKatibDbManager(
    {
      async report(trialName, points) {
        const current = runner()
        let stored: Promise<void>
        try {
          if (!current) throw new Error('the controller is starting')
          stored = current.acceptPush(trialName, points)
        } catch (error) {
          throw new TrialNotHereError(`${(error as Error).message}; only a trial that runs reports metrics`)
        }
        await stored
      },
      async observations(trialName) {
        const trial = await store.trials.getByName(trialName)
        return trial && (await store.observations.list(trial.id))
      },
    },
    { tokens },
  )
}
