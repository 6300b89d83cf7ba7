import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { freePort } from './free-port.ts'

/**
 * A PostgreSQL cluster of the test's own, in a temporary folder, for tests that must stop and
 * restart the database: the machine's shared server is never touched. Needs the server's
 * binaries (Debian: /usr/lib/postgresql/<version>/bin); `findPostgresBin()` is undefined
 * without them and such tests skip. As root, the server runs as the `postgres` user (PostgreSQL
 * refuses to run as root).
 */
export interface ScratchPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string
  readonly port: number
  /** Fast shutdown (SIGINT): open connections are terminated, as in a real restart. */
  stop(): Promise<void>
  /** Starts it again on the same port and data folder; nothing when it runs. */
  start(): Promise<void>
  /** Stops it and deletes its folder. */
  destroy(): Promise<void>
}

export function findPostgresBin(): string | undefined {
  const fromEnv = process.env.POSTGRES_BIN
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(root, versions[0], 'bin') : undefined
}

export async function startScratchPostgres(): Promise<ScratchPostgres> {
  const bin = findPostgresBin()
  if (!bin) throw new Error('no PostgreSQL server binaries (initdb) found; set POSTGRES_BIN')
  const dir = mkdtempSync(join(tmpdir(), 'scratch-pg-'))
  const asRoot = process.getuid?.() === 0
  const owner = asRoot ? lookupUser('postgres') : undefined
  if (owner) chownSync(dir, owner.uid, owner.gid)
  // Started directly under the postgres user's ids (not through runuser, which would not pass
  // SIGINT on), so signals reach the server itself.
  const ids = owner ? { uid: owner.uid, gid: owner.gid } : {}
  const data = join(dir, 'data')
  execFileSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], { stdio: 'ignore', cwd: dir, ...ids })
  const port = await freePort()
  let server: ChildProcess | undefined

  const start = async () => {
    if (server && server.exitCode === null) return
    const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=40']
    const child = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...ids })
    let log = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000)
    })
    server = child
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) throw new Error(`scratch PostgreSQL exited: ${log}`)
      if (await accepts(port)) return
      await sleep(100)
    }
    throw new Error(`scratch PostgreSQL did not start within 30 s: ${log}`)
  }
  const stop = async () => {
    const child = server
    server = undefined
    if (!child || child.exitCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, as in a restart.
    child.kill('SIGINT')
    await exited
  }
  await start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    destroy: async () => {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function accepts(port: number): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1000 })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim())
    return { uid, gid }
  } catch {
    return undefined
  }
}
