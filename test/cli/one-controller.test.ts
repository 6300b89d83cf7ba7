import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { openStore } from '../../db/open-store.ts'
import type { ExperimentRecord, Store } from '../../db/store.ts'
import { createSchemaDatabase, type SchemaDatabase } from '../helpers/schema-database.ts'
import { startServe } from '../helpers/serve-process.ts'
import { quadraticExperimentYaml } from '../helpers/experiment-yaml.ts'

// One controller per experiment (docs/reliability.md): `run` and `serve` as real processes on
// one PostgreSQL database (a schema of this file's own). The embedded database admits one
// process at a time, so two controllers cannot meet there; the lease itself is checked on
// both backends by the store suite (test/db/store-leases.conformance.ts).
const baseUrl = process.env.DATABASE_URL?.trim()
const skip = baseUrl ? false : 'DATABASE_URL is not set: two controllers can only share a PostgreSQL database'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'tunewell-lease-'))
const suffix = Date.now().toString(36)
const TTL_SECONDS = '2'

interface Child {
  readonly process: ChildProcess
  readonly output: { stdout: string; stderr: string }
  /** Resolves with the exit code once its output is drained. */
  readonly exited: Promise<number | null>
  /** Resolves once its stdout or stderr matches. */
  waitFor(pattern: RegExp): Promise<void>
}

function start(args: readonly string[], cwd: string): Child {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  const output = { stdout: '', stderr: '' }
  const waiters = new Set<() => void>()
  child.stdout!.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString()
    for (const check of waiters) check()
  })
  child.stderr!.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString()
    for (const check of waiters) check()
  })
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return {
    process: child,
    output,
    exited,
    waitFor: (pattern) => new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(output.stdout) && !pattern.test(output.stderr)) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`no ${pattern} within 120 s:\n${output.stdout}\n${output.stderr}`))
      }, 120_000)
      waiters.add(check)
      check()
      void exited.then(() => {
        if (waiters.delete(check)) {
          clearTimeout(timer)
          reject(new Error(`exited before ${pattern}:\n${output.stdout}\n${output.stderr}`))
        }
      })
    }),
  }
}

async function cli(args: readonly string[], cwd: string) {
  const child = start(args, cwd)
  const code = await child.exited
  return { code, ...child.output }
}

/** Polls until `probe` resolves a value other than undefined (no assumption about how long it takes). */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 120_000
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

/**
 * A trial program that waits until its gate file exists, then reports a loss over three steps:
 * the test decides when a controller's trials may finish, so nothing depends on how fast this
 * machine is.
 */
const gatedTrial = join(dir, 'gated-trial.mjs')
writeFileSync(gatedTrial, `import { existsSync } from 'node:fs'
const flags = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')))
while (!existsSync(flags.gate)) await new Promise((resolve) => setTimeout(resolve, 50))
const loss = (Number(flags.x) - 0.3) ** 2 + (Number(flags.y) - 0.7) ** 2
for (let step = 1; step <= 3; step++) console.log('step ' + step + ': loss=' + (loss + (3 - step) * 0.1).toFixed(6))
`)

/** A gate for gatedTrial: closed until `open()`. */
function gate(name: string) {
  const path = join(dir, `${name}.gate`)
  return { path, open: () => writeFileSync(path, '') }
}

/** An experiment of 6 trials, 2 at a time, whose trials finish once `gatePath` exists. */
function writeExperiment(name: string, gatePath: string): string {
  const file = join(dir, `${name}.yaml`)
  writeFileSync(file, quadraticExperimentYaml({
    name, parallel: 2, max: 6,
    command: [process.execPath, gatedTrial, `--gate=${gatePath}`, '--x=${trialParameters.x}', '--y=${trialParameters.y}'],
  }))
  return file
}

/** A working directory of its own (`.tunewell/runs/` for trial folders). */
const home = (name: string) => mkdtempSync(join(dir, `${name}-`))

describe('one controller per experiment', { skip }, () => {
  let db: SchemaDatabase
  let store: Store
  const saved = { url: process.env.DATABASE_URL, ttl: process.env.TUNEWELL_LEASE_TTL_SECONDS }

  before(async () => {
    db = await createSchemaDatabase(baseUrl!, 'tunewell_lease_test')
    store = await openStore({ url: db.url })
    // Inherited by every child process of this file.
    process.env.DATABASE_URL = db.url
    process.env.TUNEWELL_LEASE_TTL_SECONDS = TTL_SECONDS
  })
  after(async () => {
    process.env.DATABASE_URL = saved.url
    if (saved.ttl === undefined) delete process.env.TUNEWELL_LEASE_TTL_SECONDS
    else process.env.TUNEWELL_LEASE_TTL_SECONDS = saved.ttl
    try {
      await store?.destroy()
    } finally {
      await db?.drop()
    }
  })

  const experimentNamed = (name: string) => until(`experiment ${name}`, () => store.experiments.getByName(name))
  const leaseOf = async (name: string) => until(`the lease of ${name}`, async () => store.leases.get((await experimentNamed(name)).id))
  /** Waits until `child` holds the experiment's lease and runs two of its trials. */
  const runningTrials = async (name: string, child: Child) => {
    await until(`${name}: two trials running under pid ${child.process.pid}`, async () => {
      if (child.process.exitCode !== null) throw new Error(`exited early:\n${child.output.stdout}\n${child.output.stderr}`)
      const record = await store.experiments.getByName(name)
      const lease = record && await store.leases.get(record.id)
      if (!lease || lease.holder.pid !== child.process.pid || lease.remainingMs <= 0) return undefined
      const running = await store.trials.list(record!.id, { states: ['Running'] })
      return running.length === 2 && running.every((t) => (t.execution as { pid?: number } | null)?.pid) ? true : undefined
    })
  }
  const assertCompletedOnce = async (record: ExperimentRecord) => {
    const trials = await store.trials.list(record.id)
    assert.equal(record.state, 'Succeeded')
    assert.deepEqual(trials.map((t) => t.number), [0, 1, 2, 3, 4, 5])
    assert.equal(new Set(trials.map((t) => t.name)).size, 6)
    assert.ok(trials.every((t) => t.state === 'Succeeded'), trials.map((t) => t.state).join())
    for (const t of trials) assert.equal((await store.observations.list(t.id, ['loss'])).length, 3, `${t.name}: its 3 points, once`)
  }

  test('a second run refuses with exit 4 naming the holder; --wait-for-lease waits for it to let go', async () => {
    const name = `lease-two-runs-${suffix}`
    const trials = gate(name)
    const file = writeExperiment(name, trials.path)
    const cwd = home('two-runs')
    const first = start(['run', file], cwd)
    await runningTrials(name, first)

    const second = await cli(['run', file], cwd)
    assert.equal(second.code, 4, second.stderr + second.stdout)
    assert.match(second.stderr, new RegExp(`experiment "${name}" is run by another controller: held by "tunewell run" \\(pid ${first.process.pid} on host \\S+\\) since \\d{4}-`))
    assert.match(second.stderr, /--wait-for-lease/)
    assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace')

    const waiting = start(['run', file, '--wait-for-lease'], cwd)
    await waiting.waitFor(new RegExp(`waiting for experiment "${name}": held by "tunewell run" \\(pid ${first.process.pid}`))
    trials.open()
    assert.equal(await first.exited, 0, first.output.stderr)
    assert.equal(await waiting.exited, 0, waiting.output.stderr)
    assert.match(waiting.output.stdout, /already completed/)
    await assertCompletedOnce(await experimentNamed(name))
    assert.ok((await leaseOf(name)).remainingMs <= 0, 'released on exit')
  })

  test('Ctrl-C releases the lease at once; a dead holder on another host is waited out until its lease expires', async () => {
    const name = `lease-expiry-${suffix}`
    const trials = gate(name)
    const file = writeExperiment(name, trials.path)
    const cwd = home('expiry')
    const interrupted = start(['run', file], cwd)
    await runningTrials(name, interrupted)
    interrupted.process.kill('SIGINT')
    assert.equal(await interrupted.exited, 130, interrupted.output.stderr)
    assert.ok((await leaseOf(name)).remainingMs <= 0, 'released by a clean exit')

    const killed = start(['run', file], cwd)
    await runningTrials(name, killed)
    killed.process.kill('SIGKILL')
    await killed.exited
    // As if it had run on another machine: its pid cannot be checked from here, only its lease's expiry.
    const experimentId = (await experimentNamed(name)).id
    await sqlOnSchema(`update experiment_leases set holder = jsonb_set(holder, '{host}', '"another-host"'), expires_at = now() + interval '1 hour'
      where experiment_id = $1`, [experimentId])
    const refused = await cli(['run', file], cwd)
    assert.equal(refused.code, 4, refused.stderr + refused.stdout)
    assert.match(refused.stderr, new RegExp(`held by "tunewell run" \\(pid ${killed.process.pid} on host another-host\\)`))

    trials.open()
    const waiter = start(['run', file, '--wait-for-lease'], cwd)
    await waiter.waitFor(/waiting for experiment .* on host another-host/)
    // An hour passes: the lease expires by the database's clock, and the waiter takes over.
    await sqlOnSchema(`update experiment_leases set expires_at = now() + interval '1 second' where experiment_id = $1`, [experimentId])
    assert.equal(await waiter.exited, 0, waiter.output.stderr + waiter.output.stdout)
    assert.equal((await leaseOf(name)).epoch, 3, 'held by three runs in turn')
    await assertCompletedOnce(await experimentNamed(name))
  })

  test('serve leaves an experiment that run drives alone, says so, and takes it over when run dies; run refuses what serve drives', async () => {
    const serveHome = home('serve')
    const runHome = home('serve-run')
    const server = await startServe(['--home', serveHome])
    try {
      const name = `lease-serve-${suffix}`
      const trials = gate(name)
      const file = writeExperiment(name, trials.path)
      const run = start(['run', file], runHome)
      await runningTrials(name, run)
      const waiting = await until('serve to say who runs it', async () => {
        const record = await store.experiments.getByName(name)
        return record?.message?.startsWith('waiting: run by another controller') ? record.message : undefined
      })
      assert.match(waiting, new RegExp(`"tunewell run" \\(pid ${run.process.pid} on host \\S+\\) since `))
      const serveRuns = join(serveHome, '.tunewell', 'runs', name)
      assert.equal(existsSync(serveRuns), false, 'serve launched none of its trials')

      run.process.kill('SIGKILL')
      await run.exited
      trials.open()
      const done = await until('serve to complete it', async () => {
        const record = await store.experiments.getByName(name)
        return record?.state === 'Succeeded' ? record : undefined
      })
      await assertCompletedOnce(done)
      assert.ok(existsSync(serveRuns), 'serve ran the rest')
      assert.doesNotMatch(done.message ?? '', /another controller/)

      // The other way round: submitted to serve, refused by run while serve drives it.
      const served = `lease-served-${suffix}`
      const servedFile = writeExperiment(served, gate(served).path)
      const submitted = await cli(['submit', servedFile, '--server', server.url], runHome)
      assert.equal(submitted.code, 0, submitted.stderr)
      await until('serve to take its lease', async () => {
        const record = await store.experiments.getByName(served)
        const lease = record && await store.leases.get(record.id)
        return lease && lease.remainingMs > 0 ? lease : undefined
      })
      const refused = await cli(['run', servedFile], runHome)
      assert.equal(refused.code, 4, refused.stderr + refused.stdout)
      assert.match(refused.stderr, /is run by another controller: held by "tunewell serve" \(pid \d+ on host/)
    } finally {
      await server.stop()
    }
  })

  test('a run paused (SIGSTOP) past its lease and replaced changes nothing once it resumes', async () => {
    const name = `lease-paused-${suffix}`
    const trials = gate(name)
    const file = writeExperiment(name, trials.path)
    const cwd = home('paused')
    const paused = start(['run', file], cwd)
    await runningTrials(name, paused)
    const record = await experimentNamed(name)
    paused.process.kill('SIGSTOP')
    let snapshot
    try {
      await until('its lease to expire', async () => ((await store.leases.get(record.id))!.remainingMs <= 0 ? true : undefined))
      // Its process is alive (stopped): the new run cannot take over before the lease expired.
      trials.open()
      const replacement = await cli(['run', file], cwd)
      assert.equal(replacement.code, 0, replacement.stderr + replacement.stdout)
      await assertCompletedOnce((await store.experiments.get(record.id))!)
      snapshot = await snapshotOf(record.id)
    } finally {
      paused.process.kill('SIGCONT')
    }
    const code = await paused.exited
    assert.equal(code, 4, paused.output.stdout + paused.output.stderr)
    assert.match(paused.output.stderr, new RegExp(`error: experiment "${name}" was taken over by another controller \\(free \\(last held by "tunewell run" \\(pid \\d+ on host `))
    assert.doesNotMatch(paused.output.stderr, /\n\s+at /, 'no stack trace')
    assert.deepEqual(await snapshotOf(record.id), snapshot, 'the paused run wrote nothing after it resumed')
  })

  /** A statement on this file's schema, for what no Store method does (a holder on another machine). */
  async function sqlOnSchema(text: string, values: unknown[]): Promise<void> {
    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    try {
      await client.query(text, values)
    } finally {
      await client.end()
    }
  }

  /** Everything a controller writes about one experiment. */
  async function snapshotOf(experimentId: string) {
    const trials = await store.trials.list(experimentId)
    const points = await Promise.all(trials.map((t) => store.observations.list(t.id)))
    return {
      experiment: await store.experiments.get(experimentId),
      trials,
      points,
      events: await store.events.list(experimentId),
      algorithmState: await store.algorithmStates.get(experimentId),
    }
  }
})
