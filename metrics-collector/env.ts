/** Full URL a Push trial POSTs its metrics to (set by the controller). */
export const HYPERTUNE_REPORT_URL = 'HYPERTUNE_REPORT_URL'
/** Bearer token for that URL; valid for this trial's metrics only. */
export const HYPERTUNE_REPORT_TOKEN = 'HYPERTUNE_REPORT_TOKEN'
/** The trial's name, for every collector kind. */
export const HYPERTUNE_TRIAL_NAME = 'HYPERTUNE_TRIAL_NAME'
/** Where a File-collector trial should write its metrics (Katib `fileSystemPath.path`). */
export const HYPERTUNE_METRICS_FILE = 'HYPERTUNE_METRICS_FILE'
/** Katib's name for the trial name; set too, so programs written for Katib run unchanged. */
export const KATIB_TRIAL_NAME = 'KATIB_TRIAL_NAME'
