import { isTrialCompleted } from '../core/trial.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../db/store.ts'
import type { ManagedWorkload, WorkloadInventory } from './trial-executor.ts'

/** One workload the sweep deleted, and why. */
export interface SweptWorkload {
  readonly workload: ManagedWorkload
  readonly reason: string
}

/**
 * Deletes the workloads that no controller will ever tend again: those whose trial is finished
 * (killed or early stopped; ended by itself unless `trialTemplate.retain` keeps it) or unknown
 * in its experiment. Such workloads come from trials killed while their launch was under way,
 * and from experiments stopped while no controller ran: the next controller's recovery only
 * looks at the experiments it runs, and a stopped one it does not run.
 *
 * Never an orphan: the workload of a Pending or Running trial (its controller, or the next one,
 * re-attaches to it or adopts it), nor one whose experiment this database does not know (it may
 * be another installation's: a `tunewell run` on a laptop against the same cluster). The
 * workloads are listed before the trials are read, and a workload is only created once its
 * trial is Running, so one a live controller has just launched is seen with its trial Running.
 */
export async function sweepOrphans(store: Store, inventory: WorkloadInventory): Promise<SweptWorkload[]> {
  const experiments = new Map<string, ExperimentRecord>((await store.experiments.list()).map((e) => [e.id, e]))
  const workloads = await inventory.list([...experiments.values()].map((e) => e.spec))
  const trialsOf = new Map<string, Map<string, TrialRecord>>()
  const swept: SweptWorkload[] = []
  for (const workload of workloads) {
    const experiment = experiments.get(workload.experimentId)
    if (!experiment) continue
    let trials = trialsOf.get(experiment.id)
    if (!trials) {
      trials = new Map((await store.trials.list(experiment.id)).map((t) => [t.name, t]))
      trialsOf.set(experiment.id, trials)
    }
    const reason = orphanReason(experiment, trials.get(workload.trialName))
    if (reason === undefined) continue
    if (await inventory.remove(workload)) swept.push({ workload, reason })
  }
  return swept
}

function orphanReason(experiment: ExperimentRecord, trial: TrialRecord | undefined): string | undefined {
  if (!trial) return `its trial is not in experiment "${experiment.name}"`
  if (!isTrialCompleted(trial.state)) return undefined
  // A kill or an early stop deletes the workload whatever `retain` says.
  if (trial.state === 'Killed' || trial.state === 'EarlyStopped') return `its trial ${trial.name} is ${trial.state}`
  if (experiment.spec.spec.trialTemplate?.retain === true) return undefined
  return `its trial ${trial.name} ended (${trial.state}) and the template does not retain it`
}
