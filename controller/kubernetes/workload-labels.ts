/**
 * Labels on every trial workload and on its pods. Katib's two (its UI, `kubectl get -l`, and
 * tools written for Katib select trials by them) and ours: `app.kubernetes.io/managed-by` is the
 * recommended label for the tool that manages an object, and it is what the executor's shared
 * watches select on, so they see our workloads and nothing else of the namespace.
 */
export const EXPERIMENT_LABEL = 'katib.kubeflow.org/experiment'
export const TRIAL_LABEL = 'katib.kubeflow.org/trial'
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
export const MANAGED_BY = 'tunewell'

/**
 * The id of the trial's experiment in the controller's database (a UUID): what the orphan sweep
 * (controller/orphan-sweep.ts) finds a workload's experiment by. Names alone could be another
 * installation's experiment of the same name.
 */
export const EXPERIMENT_ID_LABEL = 'tunewell.dev/experiment-id'

/** `app.kubernetes.io/managed-by=tunewell`: the shared watches' label selector. */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`

export function workloadLabels(experimentName: string, trialName: string): Record<string, string> {
  return { [EXPERIMENT_LABEL]: experimentName, [TRIAL_LABEL]: trialName, [MANAGED_BY_LABEL]: MANAGED_BY }
}

/** Whether `labels` mark an object as this trial's workload (an adopted 409 must be ours). */
export function isTrialWorkload(labels: Readonly<Record<string, string>> | undefined, trialName: string): boolean {
  return labels?.[MANAGED_BY_LABEL] === MANAGED_BY && labels?.[TRIAL_LABEL] === trialName
}
