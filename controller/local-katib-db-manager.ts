import type { Store } from '../db/store.ts'
import type { PushReceiver, PushTokens } from '../metrics-collector/index.ts'
import { startKatibDbManager, type KatibDbManager } from '../metrics-collector/katib-grpc/katib-db-manager.ts'
import { reportThroughReceiver } from '../metrics-collector/katib-grpc/report-through-receiver.ts'

/**
 * Katib's DBManager gRPC service on loopback for one runner's trials (Push collector): a report
 * goes the way a pushed one does, through the runner's push receiver (its steps numbered by the
 * same counter, answered once stored), and GetObservationLog reads what is stored. `tokens` are
 * the push receiver's, so a trial's TUNEWELL_REPORT_TOKEN is good here too.
 */
export function startLocalKatibDbManager(store: Store, receiver: Pick<PushReceiver, 'deliver'>, tokens: PushTokens): Promise<KatibDbManager> {
  return startKatibDbManager(
    {
      report: reportThroughReceiver(receiver),
      async observations(trialName) {
        const trial = await store.trials.getByName(trialName)
        return trial && (await store.observations.list(trial.id))
      },
    },
    { tokens },
  )
}
