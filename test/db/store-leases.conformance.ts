import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { TunewellError } from '../../core/errors.ts'
import { fencedStore } from '../../db/fenced-store.ts'
import { LeaseLostError } from '../../db/lease-lost-error.ts'
import type { LeaseFence, LeaseHolder, LeaseRecord, Store } from '../../db/store.ts'
import { opaqueSpec } from '../helpers/opaque-spec.ts'

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`
const holder = (pid: number, command = 'run'): LeaseHolder => ({ host: 'test-host', pid, startTime: '12345', command })
const fenceOf = (lease: LeaseRecord): LeaseFence => ({ experimentId: lease.experimentId, holderId: lease.holderId, epoch: lease.epoch })
const LONG = 60_000

/** Leases (table experiment_leases, migrations/0001-initial.ts), as every Store must keep them; called inside describeStoreConformance. */
export function describeStoreLeases(getStore: () => Store): void {
  describe('leases', () => {
    const setUp = async () => {
      const store = getStore()
      const experiment = await store.experiments.create({ name: unique('lease'), spec: opaqueSpec({}), seed: 1 })
      const trial = (await store.trials.createMany(experiment.id, [{ name: unique('lease-trial'), params: {} }]))[0]!
      return { store, experiment, trial }
    }
    const acquired = async (store: Store, experimentId: string, pid: number, ttlMs = LONG): Promise<LeaseRecord> => {
      const result = await store.leases.acquire(experimentId, randomUUID(), holder(pid), ttlMs)
      assert.ok(result.acquired, `acquired by ${pid}`)
      return result.lease
    }
    /** Waits, by the database's clock, for the lease to expire (no assumption about how long it takes). */
    const untilExpired = async (store: Store, experimentId: string) => {
      while ((await store.leases.get(experimentId))!.remainingMs > 0) await sleep(50)
    }

    test('acquire: the first holder gets epoch 1; a second is told who holds it', async () => {
      const { store, experiment } = await setUp()
      assert.equal(await store.leases.get(experiment.id), undefined)
      const first = await acquired(store, experiment.id, 101)
      assert.equal(first.epoch, 1)
      assert.deepEqual(first.holder, holder(101))
      assert.ok(first.remainingMs > 0 && first.remainingMs <= LONG)
      assert.ok(first.expiresAt.getTime() > first.acquiredAt.getTime())

      const second = await store.leases.acquire(experiment.id, randomUUID(), holder(202, 'serve'), LONG)
      assert.equal(second.acquired, false)
      assert.equal(second.lease.holderId, first.holderId)
      assert.deepEqual(second.lease.holder, holder(101))
      assert.equal(second.lease.epoch, 1)
      const { remainingMs, ...stored } = (await store.leases.get(experiment.id))!
      assert.ok(remainingMs > 0)
      assert.deepEqual(stored, (({ remainingMs: _, ...rest }) => rest)(first))
    })

    test('renew extends the holder\'s lease; a stale fence cannot renew', async () => {
      const { store, experiment } = await setUp()
      const lease = await acquired(store, experiment.id, 101, 1_000)
      const renewed = await store.leases.renew(fenceOf(lease), LONG)
      assert.ok(renewed)
      assert.equal(renewed.epoch, lease.epoch)
      assert.ok(renewed.expiresAt.getTime() > lease.expiresAt.getTime())
      assert.equal(await store.leases.renew({ ...fenceOf(lease), epoch: lease.epoch + 1 }, LONG), undefined)
      assert.equal(await store.leases.renew({ ...fenceOf(lease), holderId: randomUUID() }, LONG), undefined)
    })

    test('expiry is by the database\'s clock; a takeover increments the epoch and the old holder cannot renew', async () => {
      const { store, experiment } = await setUp()
      const old = await acquired(store, experiment.id, 101, 200)
      await untilExpired(store, experiment.id)
      const next = await acquired(store, experiment.id, 202)
      assert.equal(next.epoch, old.epoch + 1)
      assert.deepEqual(next.holder, holder(202))
      assert.equal(await store.leases.renew(fenceOf(old), LONG), undefined)
      assert.equal(await store.leases.release(fenceOf(old)), false)
    })

    test('an expired lease nobody took is still its holder\'s to renew', async () => {
      const { store, experiment } = await setUp()
      const lease = await acquired(store, experiment.id, 101, 200)
      await untilExpired(store, experiment.id)
      const renewed = await store.leases.renew(fenceOf(lease), LONG)
      assert.equal(renewed?.epoch, lease.epoch)
      assert.ok(renewed!.remainingMs > 0)
    })

    test('takeOver names the exact holder and epoch it found dead; anything else is refused', async () => {
      const { store, experiment } = await setUp()
      const dead = await acquired(store, experiment.id, 101)
      const wrong = await store.leases.acquire(experiment.id, randomUUID(), holder(202), LONG, { holderId: dead.holderId, epoch: dead.epoch + 1 })
      assert.equal(wrong.acquired, false)
      const taken = await store.leases.acquire(experiment.id, randomUUID(), holder(202), LONG, { holderId: dead.holderId, epoch: dead.epoch })
      assert.ok(taken.acquired)
      assert.equal(taken.lease.epoch, dead.epoch + 1)
      // A second taker that saw the same dead holder loses the race.
      const late = await store.leases.acquire(experiment.id, randomUUID(), holder(303), LONG, { holderId: dead.holderId, epoch: dead.epoch })
      assert.equal(late.acquired, false)
      assert.equal(late.lease.holderId, taken.lease.holderId)
    })

    test('release frees it at once for the next holder, who gets the next epoch', async () => {
      const { store, experiment } = await setUp()
      const first = await acquired(store, experiment.id, 101)
      assert.equal(await store.leases.release(fenceOf(first)), true)
      const free = await store.leases.get(experiment.id)
      assert.ok(free!.remainingMs <= 0)
      assert.deepEqual(free!.holder, holder(101), 'the last holder stays known')
      const second = await acquired(store, experiment.id, 202)
      assert.equal(second.epoch, 2)
      assert.equal(await store.leases.release(fenceOf(first)), false)
    })

    test('fenced writes apply for the holder and are refused with an old epoch', async () => {
      const { store, experiment, trial } = await setUp()
      const old = await acquired(store, experiment.id, 101, 200)
      const oldStore = fencedStore(store, fenceOf(old), async () => false)
      assert.equal(await oldStore.trials.transition(trial.id, ['Pending'], 'Running'), true)
      await oldStore.events.append({ experimentId: experiment.id, type: 'experiment:new-best', payload: { objective: 1 } })

      await untilExpired(store, experiment.id)
      const next = await acquired(store, experiment.id, 202)
      const refused = (promise: Promise<unknown>) => assert.rejects(promise, (error: unknown) => {
        assert.ok(error instanceof LeaseLostError, String(error))
        assert.equal(error.expiredOnly, false)
        assert.equal(error.current?.epoch, next.epoch)
        assert.match(error.message, /pid 202 on host test-host/)
        return true
      })
      await refused(oldStore.trials.transition(trial.id, ['Running'], 'Succeeded', { objective: 1 }))
      await refused(oldStore.trials.update(trial.id, { message: 'stale' }))
      await refused(oldStore.trials.transitionMany([trial.id], ['Running'], 'Succeeded', { objective: 1 }))
      await refused(oldStore.trials.setExecutions([{ id: trial.id, execution: { stale: true } }]))
      await refused(oldStore.experiments.transition(experiment.id, ['Created'], { state: 'Running' }))
      await refused(oldStore.observations.append(trial.id, [{ name: 'loss', step: 1, value: 1, at: new Date() }]))
      await refused(oldStore.trials.createMany(experiment.id, [{ name: unique('stale-trial'), params: {} }]))
      await refused(oldStore.transaction(async (tx) => tx.events.append({ experimentId: experiment.id, type: 'experiment:new-best', payload: { objective: 2 } })))
      const now = (await store.trials.get(trial.id))!
      assert.equal(now.state, 'Running')
      assert.equal(now.message, null)
      assert.equal((await store.experiments.get(experiment.id))!.state, 'Created')
      assert.deepEqual(await store.observations.list(trial.id), [])
      assert.equal((await store.trials.list(experiment.id)).length, 1)
      assert.deepEqual((await store.events.list(experiment.id)).map((e) => e.type), ['experiment:new-best'])
      // Reads pass through.
      assert.equal((await oldStore.trials.get(trial.id))?.id, trial.id)

      const newStore = fencedStore(store, fenceOf(next), async () => false)
      assert.equal(await newStore.trials.transition(trial.id, ['Running'], 'Succeeded', { objective: 1 }), true)
    })

    test('a fenced write past expiry renews a lease nobody took, then applies', async () => {
      const { store, experiment, trial } = await setUp()
      const lease = await acquired(store, experiment.id, 101, 200)
      await untilExpired(store, experiment.id)
      let renewals = 0
      const fenced = fencedStore(store, fenceOf(lease), async () => {
        renewals++
        return (await store.leases.renew(fenceOf(lease), LONG)) !== undefined
      })
      assert.equal(await fenced.trials.transition(trial.id, ['Pending'], 'Running'), true)
      assert.equal(renewals, 1)
    })

    test('a takeover waits for a fenced transaction in flight, which commits first', async () => {
      const { store, experiment, trial } = await setUp()
      const lease = await acquired(store, experiment.id, 101)
      const order: string[] = []
      let inside!: () => void
      const entered = new Promise<void>((resolve) => { inside = resolve })
      const fenced = fencedStore(store, fenceOf(lease), async () => false)
      const writing = fenced.transaction(async (tx) => {
        await tx.trials.transition(trial.id, ['Pending'], 'Running')
        inside()
        await sleep(300)
        order.push('committed')
      })
      await entered
      const taking = store.leases.acquire(experiment.id, randomUUID(), holder(202), LONG, { holderId: lease.holderId, epoch: lease.epoch })
        .then((result) => {
          order.push('taken')
          return result
        })
      await writing
      assert.ok((await taking).acquired)
      assert.deepEqual(order, ['committed', 'taken'])
      assert.equal((await store.trials.get(trial.id))!.state, 'Running')
    })

    test('assertHeld outside a transaction is a programming error; unknown experiments are not found; delete takes the lease', async () => {
      const { store, experiment } = await setUp()
      const lease = await acquired(store, experiment.id, 101)
      await assert.rejects(store.leases.assertHeld(fenceOf(lease)), /inside store\.transaction/)
      await store.transaction((tx) => tx.leases.assertHeld(fenceOf(lease)))
      await assert.rejects(store.leases.acquire(randomUUID(), randomUUID(), holder(1), LONG), (error: unknown) =>
        error instanceof TunewellError && error.code === 'EXPERIMENT_NOT_FOUND')
      await store.experiments.delete(experiment.id)
      assert.equal(await store.leases.get(experiment.id), undefined)
      assert.equal(await store.leases.renew(fenceOf(lease), LONG), undefined)
    })
  })
}
