/** Full URL a Push trial POSTs its metrics to (set by the controller). */
export const TUNEWELL_REPORT_URL = 'TUNEWELL_REPORT_URL'
/** Bearer token for that URL; valid for this trial's metrics only. */
export const TUNEWELL_REPORT_TOKEN = 'TUNEWELL_REPORT_TOKEN'
/** The trial's name, for every collector kind. */
export const TUNEWELL_TRIAL_NAME = 'TUNEWELL_TRIAL_NAME'
/** Where a File-collector trial should write its metrics (Katib `fileSystemPath.path`). */
export const TUNEWELL_METRICS_FILE = 'TUNEWELL_METRICS_FILE'
/** Katib's name for the trial name; set too, so programs written for Katib run unchanged. */
export const KATIB_TRIAL_NAME = 'KATIB_TRIAL_NAME'
