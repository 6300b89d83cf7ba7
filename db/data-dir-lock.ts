import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { TunewellError } from '../core/errors.ts'

const LOCK_FILE = 'tunewell.lock'

/** Data dirs this process holds, so a reused pid from an earlier run is not mistaken for us. */
const held = new Set<string>()

/**
 * PGlite does not guard its data dir: a second PGlite on the same folder opens it and the two
 * corrupt each other. This lock file (pid + host) inside the dir refuses the second opener;
 * a lock left by a process that no longer runs is taken over. Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, LOCK_FILE)
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }), {
        flag: 'wx',
      })
      held.add(dir)
      return () => {
        held.delete(dir)
        rmSync(file, { force: true })
      }
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST' || attempt > 0) {
        throw new TunewellError('DATABASE_UNAVAILABLE', `cannot lock the embedded database at ${dir}: ${String(error)}`, {
          cause: error,
        })
      }
    }
    const holder = readHolder(file)
    if (holder && isRunning(holder, dir)) {
      const who = holder.pid === process.pid ? 'this process (it is already open)' : `process ${holder.pid} on ${holder.host}`
      throw new TunewellError(
        'DATABASE_UNAVAILABLE',
        `the embedded database at ${dir} is in use by ${who}; only one process may open it. ` +
          'Stop that process (or talk to it through its API), use another working directory, ' +
          `or set DATABASE_URL to share a PostgreSQL server. If no such process exists, delete ${file}.`,
      )
    }
    // Stale: its owner died without releasing it. (Two processes reclaiming the same stale lock
    // at the same instant could both win; that needs a crash and a double start within ms.)
    rmSync(file, { force: true })
  }
}

function readHolder(file: string): { pid: number; host: string } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; host?: unknown }
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? { pid: parsed.pid, host: parsed.host } : undefined
  } catch {
    return undefined
  }
}

function isRunning(holder: { pid: number; host: string }, dir: string): boolean {
  // Another machine (shared filesystem): we cannot check its pids, so assume it is alive.
  if (holder.host !== hostname()) return true
  if (holder.pid === process.pid) return held.has(dir)
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'
  }
}
