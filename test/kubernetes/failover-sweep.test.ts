import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { EXPERIMENT_ID_LABEL } from '../../controller/kubernetes/workload-labels.ts'
import { startFakeKube, type FakeKube, type KubeObject } from '../helpers/fake-kube/index.ts'
import { jobExperiment, nodeScriptCommand } from '../helpers/job-experiment.ts'
import { createSchemaDatabase, type SchemaDatabase } from '../helpers/schema-database.ts'
import { startServe, type ServeProcess } from '../helpers/serve-process.ts'

// Workloads no controller will tend again (docs/kubernetes.md, "Several replicas"): those of an
// experiment stopped, or deleted, while the controller that ran it was dead. `serve --executor
// kubernetes` processes one after another on one database (PGlite or a PostgreSQL schema of this
// file's own), one fake API server in this process.

const baseUrl = process.env.DATABASE_URL?.trim()
const home = mkdtempSync(join(tmpdir(), 'tunewell-sweep-'))
const suffix = Date.now().toString(36)
let kube: FakeKube
let db: SchemaDatabase | undefined
const servers: ServeProcess[] = []

before(async () => {
  kube = await startFakeKube()
  if (baseUrl) db = await createSchemaDatabase(baseUrl, 'tunewell_sweep')
})
after(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  await kube?.close()
  await db?.drop()
  rmSync(home, { recursive: true, force: true })
})

/** A controller named `id` on the shared database; `ttlSeconds`: its leases' time to live. */
async function serve(id: string, ttlSeconds?: string): Promise<ServeProcess> {
  const { TUNEWELL_LEASE_TTL_SECONDS: _ttl, DATABASE_URL: _url, ...inherited } = process.env
  const server = await startServe(['--home', home, '--no-dashboard', '--log-level', 'info', '--executor', 'kubernetes'], 120_000, {
    ...inherited,
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...(ttlSeconds ? { TUNEWELL_LEASE_TTL_SECONDS: ttlSeconds } : {}),
    KUBECONFIG: kube.kubeconfigPath,
    TUNEWELL_CONTROLLER_ID: id,
    TUNEWELL_EXECUTOR: '',
    TUNEWELL_REPORT_URL: '',
  })
  servers.push(server)
  // Answered once its start is through, signal handlers included (a SIGTERM before that kills it).
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200)
  return server
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, limitMs = 120_000): Promise<T> {
  const deadline = Date.now() + limitMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

/** An experiment whose 2 trials run until the test ends (their pods never finish). */
async function submit(server: ServeProcess, name: string): Promise<void> {
  const experiment = jobExperiment({
    name, maxTrials: 2, parallel: 2, image: 'docker.io/library/node:20',
    command: nodeScriptCommand('console.log("loss=0.5"); setInterval(() => {}, 1000)'),
  })
  const response = await fetch(`${server.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(experiment) })
  assert.equal(response.status, 201, await response.text())
}

/** The trial Jobs of an experiment, by its name, as the fake stores them now. */
const jobsOf = (experiment: string): KubeObject[] =>
  kube.objects('jobs', kube.namespace).filter((j) => j.metadata.labels?.['katib.kubeflow.org/experiment'] === experiment && !j.metadata.deletionTimestamp)

const uids = (jobs: readonly KubeObject[]) => jobs.map((j) => j.metadata.uid).sort()

test('Jobs of an experiment stopped or deleted while its controller was dead are deleted; a running trial\'s and another installation\'s are kept', { timeout: 300_000 }, async () => {
  // The first controller's leases last 60 s: after its death the next one cannot run its
  // experiments for that long (it is "on another host"), only change them through the API.
  const first = await serve('sweep-a', '60')
  const stopped = `sweep-stopped-${suffix}`
  const deleted = `sweep-deleted-${suffix}`
  const running = `sweep-running-${suffix}`
  for (const name of [stopped, deleted, running]) await submit(first, name)
  for (const name of [stopped, deleted, running]) await until(`the Jobs of ${name}`, () => (jobsOf(name).length === 2 ? true : undefined))
  first.kill('SIGKILL')
  await first.exited
  const runningJobs = uids(jobsOf(running))

  // Another installation's trial on the same cluster: Tunewell's labels, an experiment id this database never had.
  kube.scriptPods('foreign-trial', { kind: 'pendingForever' })
  const foreign = kube.create({
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name: 'foreign-trial', namespace: kube.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'tunewell', 'katib.kubeflow.org/experiment': 'foreign', 'katib.kubeflow.org/trial': 'foreign-trial', [EXPERIMENT_ID_LABEL]: randomUUID() },
    },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'training', image: 'docker.io/library/node:20', command: ['true'] }] } } },
  })

  const second = await serve('sweep-b')
  const stop = await fetch(`${second.url}/api/v1/experiments/${stopped}:stop`, { method: 'POST' })
  assert.equal(stop.status, 200, await stop.text())
  // A delete: the replica that answers it deletes the experiment's Jobs, whoever runs it (here: nobody yet).
  const deletion = await fetch(`${second.url}/api/v1/experiments/${deleted}`, { method: 'DELETE' })
  assert.ok(deletion.ok, await deletion.text())
  assert.deepEqual(jobsOf(deleted), [])
  assert.equal(await second.stop(), 0, second.output.err)

  // The stopped experiment's trials are Killed: the sweep of the next start deletes their Jobs.
  const third = await serve('sweep-b')
  await until(`the Jobs of ${stopped} deleted`, () => (jobsOf(stopped).length === 0 ? true : undefined))
  assert.equal(await third.stop(), 0, third.output.err)
  assert.match(second.output.err + third.output.err, new RegExp(`deleted orphaned Job ${kube.namespace}/${stopped}-\\w+: its trial ${stopped}-\\w+ is Killed`))
  // Kept: the Jobs of the trials still Running (their experiment's lease is the dead controller's
  // until it expires; then a controller re-attaches to them), and the other installation's.
  assert.deepEqual(uids(jobsOf(running)), runningJobs)
  assert.equal(kube.object('jobs', kube.namespace, 'foreign-trial')?.metadata.uid, foreign.metadata.uid)
})
