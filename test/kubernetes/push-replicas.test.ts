import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import type { MetricPoint } from '../../core/metric.ts'
import { openStore } from '../../db/open-store.ts'
import type { LeaseFence, Store, TrialRecord } from '../../db/store.ts'
import { PushHub } from '../../controller/push-hub.ts'
import type { ExperimentRunner } from '../../controller/experiment-runner.ts'
import { TUNEWELL_REPORT_TOKEN, TUNEWELL_REPORT_URL } from '../../metrics-collector/env.ts'
import { reportMetrics } from '../../metrics-collector/report.ts'
import { opaqueSpec } from '../helpers/opaque-spec.ts'

/**
 * Push receivers of controller replicas behind one Service (deploy/: two replicas, one push
 * port): a pod's push may reach either, and the replica that runs its trial may change (a
 * takeover, a restart). Each replica here is a PushHub with a store of its own; with
 * DATABASE_URL both stores are separate connection pools on one PostgreSQL schema, as two
 * processes are. PGlite has one connection per process, so there they share one store: the
 * replicas still have nothing else in common (keys, runners, ports).
 */

interface Replica {
  readonly name: string
  readonly hub: PushHub
  readonly store: Store
  /** Trials whose pushes the runner registered here accepted, as (trial, points) in order. */
  readonly accepted: { trial: string; points: MetricPoint[] }[]
  /**
   * Makes the trial "run" here (a runner registered with the hub), until the returned function is
   * called; `refused` pushes first are refused as by a runner still re-attaching (counted in `refusals`).
   */
  run(trial: TrialRecord, refused?: number): () => void
  readonly refusals: { count: number }
  /** Takes the experiment's lease, as the supervisor does, with this replica's push address. */
  lead(experimentId: string): Promise<LeaseFence>
  close(): Promise<void>
}

const url = process.env.DATABASE_URL?.trim()
const schema = `tunewell_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`
const stores: Store[] = []
let shared: Store | undefined

async function storeForReplica(): Promise<Store> {
  if (!url) return (shared ??= await openStore({ memory: true }))
  const store = await openStore({ url, schema })
  stores.push(store)
  return store
}

async function startReplica(name: string): Promise<Replica> {
  const store = await storeForReplica()
  // Port 0: each replica its own free port (on a cluster each pod has its IP and the same port).
  const hub = await PushHub.start(new URL('http://127.0.0.1:0'), {})
  await hub.useStore(store)
  const accepted: Replica['accepted'] = []
  const refusals = { count: 0 }
  return {
    name,
    hub,
    store,
    accepted,
    refusals,
    run(trial, refused = 0) {
      // What an ExperimentRunner does with a push of its live trial: its collector stores the points.
      const runner = {
        acceptPush(trialName: string, points: readonly MetricPoint[]) {
          if (trialName !== trial.name) throw new Error(`trial ${trialName} is not running`)
          if (refusals.count < refused) {
            refusals.count++
            throw new Error(`trial ${trialName} is not running yet`)
          }
          accepted.push({ trial: trialName, points: [...points] })
          return store.observations.append(trial.id, points)
        },
      } as unknown as ExperimentRunner
      return hub.register(runner)
    },
    async lead(experimentId) {
      const holderId = randomUUID()
      const attempt = await store.leases.acquire(experimentId, holderId, { host: name, pid: process.pid, command: 'serve', pushUrl: hub.internalUrl }, 60_000)
      assert.ok(attempt.acquired, `${name} takes the lease`)
      return { experimentId, holderId, epoch: attempt.lease.epoch }
    },
    close: () => hub.close(),
  }
}

function push(replica: Replica, trialName: string, token: string, body: unknown): Promise<Response> {
  return fetch(`${replica.hub.internalUrl}/trials/${encodeURIComponent(trialName)}/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })
}

function tokenOf(replica: Replica, trialName: string): string {
  return replica.hub.envFor(trialName).TUNEWELL_REPORT_TOKEN
}

/** The trial's stored points once `expected` is among them (the runner's collector writes after the push is answered). */
async function observed(store: Store, trial: TrialRecord, expected: string): Promise<string[]> {
  // Bounded only so that a failure ends instead of hanging.
  for (let i = 0; ; i++) {
    const points = (await store.observations.list(trial.id)).map((p) => `${p.name}@${p.step}=${p.value}`).sort()
    if (points.includes(expected)) return points
    if (i === 3000) assert.fail(`${expected} never stored; the trial has ${points.join(' ')}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('metric pushes with two controller replicas on one database', () => {
  let a: Replica
  let b: Replica
  let experimentId: string
  let trial: TrialRecord
  let other: TrialRecord

  before(async () => {
    a = await startReplica('replica-a')
    b = await startReplica('replica-b')
    const record = await a.store.experiments.create({ name: `push-${randomUUID().slice(0, 8)}`, spec: opaqueSpec({}), seed: 1 })
    experimentId = record.id
    ;[trial, other] = await a.store.trials.createMany(record.id, [
      { name: `${record.name}-t0`, params: {} },
      { name: `${record.name}-t1`, params: {} },
    ])
    for (const t of [trial, other]) assert.ok(await a.store.trials.transition(t.id, ['Pending'], 'Running'))
  })

  after(async () => {
    await Promise.allSettled([a?.close(), b?.close()])
    for (const store of stores) await store.destroy()
    await shared?.destroy()
    if (url) {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      await client.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`)
      await client.end()
    }
  })

  test('both replicas hand out the same token for a trial, and it is not stored in the database', async () => {
    const token = tokenOf(a, trial.name)
    assert.equal(tokenOf(b, trial.name), token)
    assert.notEqual(tokenOf(a, other.name), token)
    const dump = JSON.stringify([await a.store.trials.get(trial.id), await a.store.leases.get(experimentId), await a.store.events.list(experimentId)])
    assert.ok(!dump.includes(token), 'the token appears nowhere in the trial, lease or events')
  })

  test('a push sent to the replica that does not run the trial lands exactly once, at the one that does', async () => {
    const stop = a.run(trial)
    const fence = await a.lead(experimentId)
    try {
      const res = await push(b, trial.name, tokenOf(a, trial.name), { metrics: { loss: 0.5 }, step: 3 })
      assert.equal(res.status, 204, await res.text())
      assert.deepEqual(a.accepted.map((x) => `${x.trial}: ${x.points.map((p) => `${p.name}@${p.step}=${p.value}`).join(' ')}`), [`${trial.name}: loss@3=0.5`])
      assert.equal(b.accepted.length, 0)
      assert.deepEqual(await observed(b.store, trial, 'loss@3=0.5'), ['loss@3=0.5'])
    } finally {
      stop()
      await a.store.leases.release(fence)
      a.accepted.length = 0
    }
  })

  test('a forged token, or another trial\'s, is refused by either replica without reaching the trial', async () => {
    const stop = a.run(trial)
    const fence = await a.lead(experimentId)
    try {
      for (const replica of [a, b]) {
        for (const token of [tokenOf(a, other.name), 'tw1.' + 'A'.repeat(43), 'not-a-token']) {
          const res = await push(replica, trial.name, token, { metrics: { loss: 9 } })
          assert.equal(res.status, 401, `${replica.name} with ${token}`)
          assert.match(((await res.json()) as { error: string }).error, /wrong bearer token/)
        }
      }
      assert.equal(a.accepted.length, 0)
    } finally {
      stop()
      await a.store.leases.release(fence)
    }
  })

  test('while no replica runs the trial: 503 with Retry-After; then the new leader gets the same token\'s pushes', async () => {
    const token = tokenOf(a, trial.name)
    // Nobody holds the lease (the leader died, its lease expired, nobody took it yet).
    for (const replica of [a, b]) {
      const res = await push(replica, trial.name, token, { metrics: { loss: 1 }, step: 1 })
      assert.equal(res.status, 503, replica.name)
      assert.ok(Number(res.headers.get('retry-after')) > 0)
      assert.match(((await res.json()) as { error: string }).error, /no controller runs trial .*retry/)
    }
    // B took the lease but has not re-attached to the trial yet: still 503, at both, no loop.
    const fence = await b.lead(experimentId)
    for (const replica of [a, b]) {
      const res = await push(replica, trial.name, token, { metrics: { loss: 1 }, step: 1 })
      assert.equal(res.status, 503, replica.name)
      await res.body?.cancel()
    }
    // A trial program retries the 503 and gets through once B runs the trial.
    const saved = { url: process.env[TUNEWELL_REPORT_URL], token: process.env[TUNEWELL_REPORT_TOKEN], retry: process.env.TUNEWELL_REPORT_RETRY_SECONDS }
    // B re-attaches; its runner refuses the first push (as one still attaching would).
    const stop = b.run(trial, 1)
    try {
      process.env[TUNEWELL_REPORT_URL] = `${a.hub.internalUrl}/trials/${encodeURIComponent(trial.name)}/metrics`
      process.env[TUNEWELL_REPORT_TOKEN] = token
      process.env.TUNEWELL_REPORT_RETRY_SECONDS = '60'
      await reportMetrics({ loss: 0.25 }, { step: 7 })
      assert.equal(b.refusals.count, 1, 'the first attempt was refused (503) and retried')
      assert.deepEqual(b.accepted.map((x) => x.points.map((p) => `${p.name}@${p.step}=${p.value}`).join(' ')), ['loss@7=0.25'])
      assert.equal(a.accepted.length, 0)
      assert.deepEqual(await observed(a.store, trial, 'loss@7=0.25'), ['loss@3=0.5', 'loss@7=0.25'])
    } finally {
      for (const [k, v] of [[TUNEWELL_REPORT_URL, saved.url], [TUNEWELL_REPORT_TOKEN, saved.token], ['TUNEWELL_REPORT_RETRY_SECONDS', saved.retry]] as const) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
      stop()
      await b.store.leases.release(fence)
      b.accepted.length = 0
    }
  })

  test('a replica started later (a restart) accepts the tokens handed out before it, and forwards to the leader', async () => {
    const token = tokenOf(a, trial.name)
    const c = await startReplica('replica-c')
    const stop = b.run(trial)
    const fence = await b.lead(experimentId)
    try {
      assert.equal(tokenOf(c, trial.name), token)
      const res = await push(c, trial.name, token, { metrics: { loss: 0.125 }, step: 9 })
      assert.equal(res.status, 204, await res.text())
      assert.deepEqual(b.accepted.map((x) => x.points.map((p) => `${p.name}@${p.step}`).join(' ')), ['loss@9'])
      assert.equal(c.accepted.length, 0)
    } finally {
      stop()
      await b.store.leases.release(fence)
      b.accepted.length = 0
      await c.close()
    }
  })

  test('values pushed without a step go on after the stored ones when another replica takes the trial over', async () => {
    const token = tokenOf(a, trial.name)
    const stopA = a.run(trial)
    const fenceA = await a.lead(experimentId)
    try {
      for (const value of [0.1, 0.2]) {
        const res = await push(a, trial.name, token, { metrics: { acc: value } })
        assert.equal(res.status, 204, await res.text())
      }
      await observed(a.store, trial, 'acc@1=0.2')
    } finally {
      stopA()
      await a.store.leases.release(fenceA)
    }
    const stopB = b.run(trial)
    const fenceB = await b.lead(experimentId)
    try {
      // Through A, which forwards it: B numbers it after the points A's runner stored.
      const res = await push(a, trial.name, token, { metrics: { acc: 0.3 } })
      assert.equal(res.status, 204, await res.text())
      const points = await observed(b.store, trial, 'acc@2=0.3')
      assert.deepEqual(points.filter((p) => p.startsWith('acc@')), ['acc@0=0.1', 'acc@1=0.2', 'acc@2=0.3'])
    } finally {
      stopB()
      await b.store.leases.release(fenceB)
      a.accepted.length = 0
      b.accepted.length = 0
    }
  })

  test('a push for a finished trial is 410 at any replica, and one for an unknown trial 404', async () => {
    assert.ok(await a.store.trials.transition(other.id, ['Running'], 'Succeeded'))
    for (const replica of [a, b]) {
      const res = await push(replica, other.name, tokenOf(a, other.name), { metrics: { loss: 1 } })
      assert.equal(res.status, 410, replica.name)
      assert.match(((await res.json()) as { error: string }).error, /has finished \(Succeeded\)/)
      const unknown = `${other.name}-nope`
      const missing = await push(replica, unknown, tokenOf(a, unknown), { metrics: { loss: 1 } })
      assert.equal(missing.status, 404)
      await missing.body?.cancel()
    }
  })
})
