import { readFileSync } from 'node:fs'

/**
 * A pid alone can be reused by an unrelated process after a restart; the kernel's start time
 * (field 22 of /proc/<pid>/stat) tells the two apart. Returns undefined off Linux or when the
 * process is gone.
 */
export function processStartTime(pid: number): string | undefined {
  if (!isRealPid(pid)) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces and parentheses; fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19]
  } catch {
    return undefined
  }
}

/**
 * kill() gives 0 and negative pids a meaning of their own: 0 is the caller's process group and
 * -1 every process the user owns. A stored pid is only ever a real process (a failed spawn
 * stored -1 once), so anything else is never signalled.
 */
export function isRealPid(pid: unknown): pid is number {
  return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 1
}

export function isSameProcessAlive(pid: number, startTime: string | undefined): boolean {
  if (!isRealPid(pid) || !isAlive(pid)) return false
  if (startTime === undefined) return true
  return processStartTime(pid) === startTime
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Signals the process group led by `pid` (trials run in their own). Only the group: once its
 * leader was reaped the pid may belong to someone else, while the group id cannot be reused as
 * long as a member lives. Resolves whether a signal was sent.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  if (!isRealPid(pid)) return false
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

/**
 * signalGroup, falling back to the pid itself for a leader that left its group (a program that
 * calls setsid). Only for a process known to be alive and not yet reaped: a child still running,
 * or one whose start time was just checked.
 */
export function signalTrial(pid: number, signal: NodeJS.Signals): boolean {
  if (!isRealPid(pid)) return false
  if (signalGroup(pid, signal)) return true
  try {
    process.kill(pid, signal)
    return true
  } catch {
    return false
  }
}
