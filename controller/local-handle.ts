/** Stored on the trial row so a restarted controller can find (and stop) the process. */
export interface LocalHandle {
  readonly kind: 'local'
  readonly pid: number
  readonly startTime?: string
  readonly logPath: string
}
