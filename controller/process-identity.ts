import { readFileSync } from 'node:fs'

/**
 * A pid alone can be reused by an unrelated process after a restart; the kernel's start time
 * (field 22 of /proc/<pid>/stat) tells the two apart. Returns undefined off Linux or when the
 * process is gone.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces and parentheses; fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19]
  } catch {
    return undefined
  }
}

export function isSameProcessAlive(pid: number, startTime: string | undefined): boolean {
  if (!isAlive(pid)) return false
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

/** Signals a whole process group (trials run in their own), falling back to the pid. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    try {
      process.kill(pid, signal)
    } catch {
      // already gone
    }
  }
}
