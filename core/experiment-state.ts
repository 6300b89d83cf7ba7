/** Katib's experiment condition types, used as states. */
export type ExperimentState = 'Created' | 'Running' | 'Restarting' | 'Succeeded' | 'Failed'
