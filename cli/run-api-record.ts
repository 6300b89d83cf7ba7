import { randomBytes } from 'node:crypto'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../api/app.ts'
import { runsDir } from '../controller/create-local-runner.ts'
import type { Store } from '../db/store.ts'
import { closeServer } from './close-server.ts'

/** In the `.tunewell` folder while a `run` holds its embedded database: where its API answers. */
export const RUN_API_FILE = 'run-api.json'

export interface RunApiRecord {
  /** Loopback origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** A read-only bearer token; absent for `run --ui`, which takes none. */
  readonly token?: string
  readonly pid: number
}

/**
 * PGlite is single-process, so while `run` holds the embedded database, `tunewell get/trials/…`
 * cannot open it: they ask the run instead. The run serves its API on a free loopback port with a
 * random read-only token (or `run --ui`'s own address) and writes both here, readable by this
 * user only; the file goes when the run ends. Returns what removes it (and stops the listener).
 */
export async function recordRunApi(o: { store: Store; home: string; uiUrl?: string }): Promise<() => Promise<void>> {
  let app: FastifyInstance | undefined
  let record: RunApiRecord
  if (o.uiUrl !== undefined) {
    record = { url: new URL(o.uiUrl).origin, pid: process.pid }
  } else {
    const token = randomBytes(24).toString('hex')
    app = await buildApp({
      store: o.store,
      tokens: [{ token, role: 'read' }],
      trialLogPath: (experiment, trial) => join(runsDir(o.home, experiment), trial, 'output.log'),
      listenHost: '127.0.0.1',
      logger: { level: 'error', stream: process.stderr },
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    record = { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, token, pid: process.pid }
  }
  const file = join(o.home, RUN_API_FILE)
  writeFileSync(file, `${JSON.stringify(record)}\n`, { mode: 0o600 })
  return async () => {
    // Only our own record: a later run may have written its own.
    if (readRunApi(o.home)?.pid === process.pid) rmSync(file, { force: true })
    if (app) await closeServer(app)
  }
}

/** The record of a run that still runs, if any. */
export function readRunApi(home: string): RunApiRecord | undefined {
  let parsed: Partial<RunApiRecord>
  try {
    parsed = JSON.parse(readFileSync(join(home, RUN_API_FILE), 'utf8')) as Partial<RunApiRecord>
  } catch {
    return undefined
  }
  if (typeof parsed.url !== 'string' || typeof parsed.pid !== 'number') return undefined
  return { url: parsed.url, pid: parsed.pid, ...(typeof parsed.token === 'string' ? { token: parsed.token } : {}) }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
