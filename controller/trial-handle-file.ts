import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LocalHandle } from './local-handle.ts'
import { isRealPid } from './process-identity.ts'

/**
 * A trial's process handle, also written to its folder the moment it is spawned: the database
 * row gets it one round trip later, and a controller killed in between would otherwise leave a
 * process that recovery cannot find.
 */
export function trialHandleFile(runDir: string, trialName: string): string {
  return join(runDir, trialName, 'process.json')
}

export function writeTrialHandle(file: string, handle: LocalHandle): void {
  try {
    writeFileSync(file, JSON.stringify(handle))
  } catch {
    // Best effort: the database row is written next, and the watchdog stops orphans anyway.
  }
}

export function readTrialHandle(file: string): LocalHandle | undefined {
  try {
    const handle = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalHandle>
    return handle?.kind === 'local' && isRealPid(handle.pid) ? (handle as LocalHandle) : undefined
  } catch {
    return undefined
  }
}

export function removeTrialHandle(file: string): void {
  rmSync(file, { force: true })
}
