/**
 * How long a retried trial waits before its next attempt. Kubernetes waits 10 s after a Job's
 * first failed pod, doubling up to 6 min (its pod-failure back-off; a container restarted in
 * place under `restartPolicy: OnFailure` waits the kubelet's 10 s doubling to 5 min): a Job
 * with the default backoffLimit of 6 idles over ten minutes before it fails. On a laptop a
 * failing program is usually fixed by hand, not by waiting, so the local schedule is
 * Kubernetes' shape ten times faster: 1 s, 2 s, 4 s … capped at 36 s (its 10 s to 6 min ratio),
 * about a minute for six retries. TUNEWELL_JOB_BACKOFF_SECONDS sets the first delay (10 gives
 * Kubernetes' own schedule, 0 none at all).
 */
export const JOB_BACKOFF_ENV = 'TUNEWELL_JOB_BACKOFF_SECONDS'
export const DEFAULT_JOB_BACKOFF_MS = 1000
/** Kubernetes' cap (6 min) over its first delay (10 s). */
const CAP_FACTOR = 36

/** The wait after the `failures`-th failed attempt (1 for the first) when the first wait is `firstMs`. */
export function jobBackoffMs(failures: number, firstMs: number): number {
  return Math.min(firstMs * 2 ** Math.max(0, failures - 1), firstMs * CAP_FACTOR)
}

/** The first wait from TUNEWELL_JOB_BACKOFF_SECONDS, else the default; a value that is no number of seconds ≥ 0 throws, naming the variable. */
export function jobBackoffFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const text = env[JOB_BACKOFF_ENV]
  if (text === undefined || text.trim() === '') return DEFAULT_JOB_BACKOFF_MS
  const seconds = Number(text)
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !Number.isFinite(seconds)) {
    throw new Error(`${JOB_BACKOFF_ENV} must be a number of seconds (0 or more), the first wait before a failed Job trial is retried; got ${JSON.stringify(text)}`)
  }
  return Math.round(seconds * 1000)
}
