import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { openStore } from '../../db/open-store.ts'
import type { Store } from '../../db/store.ts'
import { quadraticExperimentYaml } from '../helpers/experiment-yaml.ts'
import { findPostgresBin, startScratchPostgres, type ScratchPostgres } from '../helpers/scratch-postgres.ts'
import { startServe } from '../helpers/serve-process.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const STEPS = 16

function experimentYaml(name: string, steps: number, sleepMs: number): string {
  return quadraticExperimentYaml({ name, parallel: 2, max: 2, flags: [`--steps=${steps}`, `--sleep-ms=${sleepMs}`] })
}

interface Child {
  readonly out: () => string
  readonly err: () => string
  readonly exit: Promise<number | null>
  kill(): void
}

function runCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Child {
  let out = ''
  let err = ''
  const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { out: () => out, err: () => err, exit, kill: () => child.kill('SIGKILL') }
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

/** Both trials of the experiment are Running (read from the database). */
async function bothRunning(store: Store, name: string): Promise<true | undefined> {
  const record = await store.experiments.getByName(name).catch(() => undefined)
  if (!record) return undefined
  const trials = await store.trials.list(record.id)
  return trials.length === 2 && trials.every((t) => t.state === 'Running' && (t.execution as { pid?: number } | null)?.pid) ? true : undefined
}

// Outages are made on a PostgreSQL cluster of this file's own; the machine's shared server is
// never stopped. The file takes two minutes and does not depend on the suite's database, so it
// runs in the PostgreSQL pass (DATABASE_URL set) only, not once more on PGlite.
const skip = !findPostgresBin() ? 'no PostgreSQL server binaries here' : !process.env.DATABASE_URL ? 'runs when DATABASE_URL is set (the PostgreSQL pass)' : false

describe('a database outage while trials run', { skip }, () => {
  let pg: ScratchPostgres
  let store: Store
  let home: string
  let env: NodeJS.ProcessEnv

  before(async () => {
    pg = await startScratchPostgres()
    store = await openStore({ url: pg.url })
    home = mkdtempSync(join(tmpdir(), 'outage-'))
    env = { ...process.env, DATABASE_URL: pg.url, TUNEWELL_DEBUG: '' }
  })
  after(async () => {
    await store?.destroy().catch(() => {})
    await pg?.destroy()
    if (home) rmSync(home, { recursive: true, force: true })
  })

  test('`run` keeps its trials running through a PostgreSQL restart and loses no point', async () => {
    const name = 'outage-run'
    const file = join(home, `${name}.yaml`)
    writeFileSync(file, experimentYaml(name, STEPS, 500))
    const run = runCli(['run', file, '--home', home], home, env)
    try {
      await until('both trials to run', () => bothRunning(store, name))
      await pg.stop()
      await sleep(5000)
      await pg.start()
      const code = await run.exit
      assert.equal(code, 0, `run exited ${code}\n${run.out()}\n${run.err()}`)
    } finally {
      run.kill()
      if (pg) await pg.start().catch(() => {})
    }
    // Said once each way, never a stack.
    assert.equal(run.err().match(/database unreachable/g)?.length, 1, run.err())
    assert.match(run.err(), /database reachable again after/)
    assert.doesNotMatch(run.err(), /\n\s+at /)
    const record = (await store.experiments.getByName(name))!
    assert.equal(record.state, 'Succeeded')
    const trials = await store.trials.list(record.id)
    assert.equal(trials.length, 2)
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message}`)
      assert.equal(trial.restarts, 0, `${trial.name} was relaunched`)
      // Every point printed during the outage was kept and written afterwards.
      assert.equal((await store.observations.list(trial.id, ['loss'])).length, STEPS, trial.name)
    }
  })

  test('`run` gives up with exit 3 and a clear message once an outage outlasts --db-outage-limit, and its trials stop', async () => {
    const name = 'outage-limit'
    const file = join(home, `${name}.yaml`)
    writeFileSync(file, experimentYaml(name, 200, 500))
    const run = runCli(['run', file, '--home', home, '--db-outage-limit', '2'], home, env)
    let pids: number[] = []
    try {
      await until('both trials to run', () => bothRunning(store, name))
      const record = (await store.experiments.getByName(name))!
      pids = (await store.trials.list(record.id)).map((t) => (t.execution as { pid: number }).pid)
      await pg.stop()
      const code = await run.exit
      assert.equal(code, 3, `run exited ${code}\n${run.out()}\n${run.err()}`)
    } finally {
      run.kill()
      await pg.start()
    }
    assert.match(run.err(), /unreachable for \d+ s \(limit 2 s\)/)
    assert.doesNotMatch(run.err(), /\n\s+at /)
    for (const pid of pids) await until(`trial process ${pid} to end`, () => (alive(pid) ? undefined : true), 30_000)
    // A rerun resumes: nothing was lost but the interrupted trials' progress.
    const rerun = runCli(['run', join(home, `${name}.yaml`), '--home', home], home, env)
    try {
      await until('the rerun to relaunch the trials', () => bothRunning(store, name))
    } finally {
      rerun.kill()
      await rerun.exit
    }
  })

  test('`serve` keeps answering and running trials through a PostgreSQL restart; requests meanwhile get 503, logged once', async () => {
    const name = 'outage-serve'
    const server = await startServe(['--home', home, '--no-dashboard', '--log-level', 'warn'], 180_000, env)
    try {
      const submitted = await fetch(`${server.url}/api/v1/experiments`, {
        method: 'POST', headers: { 'content-type': 'application/yaml' }, body: experimentYaml(name, STEPS, 500),
      })
      assert.equal(submitted.status, 201, await submitted.text())
      await until('both trials to run', () => bothRunning(store, name))
      await pg.stop()
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200)
      for (let i = 0; i < 5; i++) assert.equal((await fetch(`${server.url}/api/v1/experiments/${name}`)).status, 503)
      await sleep(4000)
      await pg.start()
      const state = await until('the experiment to finish', async () => {
        const response = await fetch(`${server.url}/api/v1/experiments/${name}`)
        if (response.status !== 200) return undefined
        const body = (await response.json()) as { status: { state: string } }
        return body.status.state === 'Succeeded' || body.status.state === 'Failed' ? body.status.state : undefined
      })
      assert.equal(state, 'Succeeded')
    } finally {
      await server.stop()
      await pg.start().catch(() => {})
    }
    const record = (await store.experiments.getByName(name))!
    for (const trial of await store.trials.list(record.id)) {
      assert.equal(trial.restarts, 0, `${trial.name} was relaunched`)
      assert.equal((await store.observations.list(trial.id, ['loss'])).length, STEPS, trial.name)
    }
    assert.doesNotMatch(server.output.err, /request failed/)
    assert.ok((server.output.err.match(/database unreachable/g)?.length ?? 0) <= 4, server.output.err)
  })
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
