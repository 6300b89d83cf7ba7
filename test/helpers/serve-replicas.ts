import assert from 'node:assert/strict'
import { after, before } from 'node:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { openStore } from '../../db/open-store.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../../db/store.ts'
import { startFakeKube, type FakeKube } from './fake-kube/index.ts'
import { jobExperiment } from './job-experiment.ts'
import { createSchemaDatabase, type SchemaDatabase } from './schema-database.ts'
import { startServe, type ServeProcess } from './serve-process.ts'

/** Trials per experiment of `ServeReplicas.submit`, 2 at a time. */
export const MAX_TRIALS = 4

/**
 * Several `tunewell serve --executor kubernetes` replicas on one PostgreSQL database (a schema of
 * their own, on the server of `baseUrl`) and one fake API server in the test's process, for the
 * failover tests (test/kubernetes/failover*.test.ts). Each replica gets its own controller name
 * (TUNEWELL_CONTROLLER_ID), as pods on two nodes have, so a dead one's lease must expire.
 */
export class ServeReplicas {
  readonly store: Store
  readonly kube: FakeKube
  readonly #db: SchemaDatabase
  readonly #dir: string
  readonly #replicas: ServeProcess[] = []
  readonly #trialProgram: string

  private constructor(db: SchemaDatabase, store: Store, kube: FakeKube, dir: string) {
    this.#db = db
    this.store = store
    this.kube = kube
    this.#dir = dir
    // Two points, then it waits for its gate file, then two more: the test opens the gate once
    // the failover it looks at has happened, so every trial has points stored by the first
    // controller and points only the second one sees, whatever this machine's speed.
    this.#trialProgram = join(dir, 'gated-trial.mjs')
    writeFileSync(this.#trialProgram, `import { existsSync } from 'node:fs'
const flags = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')))
const point = (step) => console.log('loss=' + (Number(flags.lr) + step / 1000).toFixed(6))
point(1)
point(2)
while (!existsSync(flags.gate)) await new Promise((resolve) => setTimeout(resolve, 50))
point(3)
point(4)
`)
  }

  static async start(baseUrl: string): Promise<ServeReplicas> {
    const db = await createSchemaDatabase(baseUrl, 'tunewell_failover')
    const [store, kube] = await Promise.all([openStore({ url: db.url }), startFakeKube()])
    return new ServeReplicas(db, store, kube, mkdtempSync(join(tmpdir(), 'tunewell-failover-')))
  }

  async close(): Promise<void> {
    await Promise.all(this.#replicas.map((r) => r.stop()))
    await this.kube.close()
    await this.store.destroy()
    await this.#db.drop()
    rmSync(this.#dir, { recursive: true, force: true })
  }

  /** A replica named `id` (its own home folder); `env` adds to its environment (TUNEWELL_LEASE_TTL_SECONDS: the default unless given). */
  async replica(id: string, env: Record<string, string> = {}): Promise<ServeProcess> {
    const home = mkdtempSync(join(this.#dir, `${id}-`))
    const { TUNEWELL_LEASE_TTL_SECONDS: _ttl, ...inherited } = process.env
    const server = await startServe(['--home', home, '--no-dashboard', '--log-level', 'info', '--executor', 'kubernetes'], 120_000, {
      ...inherited,
      DATABASE_URL: this.#db.url,
      KUBECONFIG: this.kube.kubeconfigPath,
      TUNEWELL_CONTROLLER_ID: id,
      TUNEWELL_EXECUTOR: '',
      TUNEWELL_REPORT_URL: '',
      ...env,
    })
    this.#replicas.push(server)
    // Answered once its start is through, signal handlers included (a SIGTERM before that kills it).
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200)
    return server
  }

  /** A gate for the trials of `submit`: closed until opened. */
  gate(name: string): { readonly path: string; open(): void } {
    const path = join(this.#dir, `${name}.gate`)
    return { path, open: () => writeFileSync(path, '') }
  }

  /** Submits an experiment of MAX_TRIALS gated trials, 2 at a time, through `server`'s API. */
  async submit(server: ServeProcess, name: string, gatePath: string): Promise<ExperimentRecord> {
    const experiment = jobExperiment({
      name, maxTrials: MAX_TRIALS, parallel: 2, image: 'docker.io/library/node:20',
      command: [process.execPath, this.#trialProgram, '--lr=${trialParameters.learningRate}', `--gate=${gatePath}`],
    })
    const response = await fetch(`${server.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(experiment) })
    assert.equal(response.status, 201, await response.text())
    return until(`experiment ${name}`, () => this.store.experiments.getByName(name))
  }

  /** The two first trials running, their Jobs created, their handles stored and their first two points too. */
  runningWithPoints(record: ExperimentRecord): Promise<TrialRecord[]> {
    return until('two trials running with their first points', async () => {
      const running = await this.store.trials.list(record.id, { states: ['Running'] })
      if (running.length < 2 || running.some((t) => !(t.execution as { uid?: string } | null)?.uid)) return undefined
      for (const trial of running) if ((await this.store.observations.list(trial.id)).length < 2) return undefined
      return running
    })
  }

  /** The controller name of the replica that holds the experiment's lease now. */
  async holder(record: ExperimentRecord): Promise<string | undefined> {
    const lease = await this.store.leases.get(record.id)
    return lease && lease.remainingMs > 0 ? lease.holder.host : undefined
  }

  /** Waits for the replica named `id` to hold the experiment's lease. */
  async heldBy(record: ExperimentRecord, id: string): Promise<void> {
    await until(`${id} to hold the lease of ${record.name}`, async () => ((await this.holder(record)) === id ? true : undefined))
  }

  /** The Jobs created (201), by name, from the `from`th request the fake saw: a repeated create would be a 409. */
  creates(from = 0): string[] {
    return this.kube.requests.slice(from).filter((r) => r.verb === 'create' && r.resource === 'jobs' && r.code === 201).map((r) => String(r.created))
  }

  /** The Jobs a delete was asked for, by name, from the `from`th request. */
  deletes(from = 0): string[] {
    return this.kube.requests.slice(from).filter((r) => r.verb === 'delete' && r.resource === 'jobs').map((r) => String(r.name))
  }

  /**
   * Waits for Succeeded, then checks: MAX_TRIALS trials, none relaunched, each one's Job created
   * once (from the `createsFrom`th request on), every point its program printed stored once, and
   * no Job left behind.
   */
  async assertFinishedOnce(record: ExperimentRecord, createsFrom: number): Promise<TrialRecord[]> {
    const done = await until('the experiment to complete', async () => {
      const current = await this.store.experiments.get(record.id)
      return current && (current.state === 'Succeeded' || current.state === 'Failed') ? current : undefined
    })
    assert.equal(done.state, 'Succeeded', done.message ?? '')
    const trials = await this.store.trials.list(record.id)
    assert.equal(trials.length, MAX_TRIALS)
    assert.deepEqual(this.creates(createsFrom).sort(), trials.map((t) => t.name).sort(), 'each trial\'s Job created exactly once')
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message ?? ''}`)
      assert.equal(trial.restarts, 0, `${trial.name} was not relaunched`)
      const points = (await this.store.observations.list(trial.id)).sort((a, b) => a.step - b.step)
      const printed = [1, 2, 3, 4].map((step) => Number((Number(trial.params.lr) + step / 1000).toFixed(6)))
      assert.deepEqual(points.map((p) => p.value), printed, `${trial.name}: every printed point stored once`)
    }
    await until('no Job left behind', () => (this.kube.objects('jobs', this.kube.namespace).some((j) => j.metadata.name?.startsWith(record.name)) ? undefined : true))
    return trials
  }
}

/** Polls until `probe` gives a value (nothing assumed about how long that takes, up to a hang's bound). */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, limitMs = 150_000): Promise<T> {
  const deadline = Date.now() + limitMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

/**
 * Two-replica tests of one file: the replicas started before its tests and closed after, on the
 * PostgreSQL of DATABASE_URL; `skip` says why they cannot run without one (the embedded database
 * admits one process).
 */
export function useServeReplicas(): { readonly skip: string | false; replicas(): ServeReplicas } {
  const baseUrl = process.env.DATABASE_URL?.trim()
  let replicas: ServeReplicas | undefined
  before(async () => {
    if (baseUrl) replicas = await ServeReplicas.start(baseUrl)
  })
  after(() => replicas?.close())
  return {
    skip: baseUrl ? false : 'DATABASE_URL is not set: two serve processes can only share a PostgreSQL database (the embedded one admits one process)',
    replicas: () => replicas!,
  }
}
