import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { TrialState } from '../../core/trial.ts'
import type { ExperimentRecord, Store, TrialPageQuery, TrialPosition, TrialRecord } from '../../db/store.ts'
import { opaqueSpec } from '../helpers/opaque-spec.ts'

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`

/** Every page of a query, following `next` until it is absent. */
async function allPages(store: Store, experimentId: string, query: Omit<TrialPageQuery, 'after'>): Promise<TrialRecord[][]> {
  const pages: TrialRecord[][] = []
  let after: TrialPosition | undefined
  for (;;) {
    const page = await store.trials.page(experimentId, { ...query, ...(after ? { after } : {}) })
    pages.push(page.items)
    if (!page.next) return pages
    assert.equal(page.items.length, query.limit, 'only the last page may be short')
    after = page.next
  }
}

/** The reference order: the sort key, nulls last, ties by number, all in the query's direction. */
function expectedOrder(trials: readonly TrialRecord[], sort: TrialPageQuery['sort'], order: 'asc' | 'desc'): number[] {
  const sign = order === 'asc' ? 1 : -1
  const key = (t: TrialRecord) => (sort === 'objective' ? t.objective : sort === 'createdAt' ? t.createdAt.getTime() : t.number)
  return [...trials]
    .sort((a, b) => {
      const ka = key(a)
      const kb = key(b)
      if (ka === null || kb === null) {
        if (ka !== kb) return ka === null ? 1 : -1
      } else if (ka !== kb) return sign * (ka - kb)
      return sign * (a.number - b.number)
    })
    .map((t) => t.number)
}

/**
 * Keyset pages, compare-and-set on experiment state, and the readiness query; run inside
 * describeStoreConformance with its store.
 */
export function describeStorePages(getStore: () => Store): void {
  describe('pages and state transitions', () => {
    const newExperiment = (spec: unknown = {}): Promise<ExperimentRecord> =>
      getStore().experiments.create({ name: unique('page'), spec: opaqueSpec(spec), seed: 1 })

    test('trial pages visit every trial once in order, for every sort and direction, nulls last', async () => {
      const store = getStore()
      const e = await newExperiment()
      // Two batches, so createdAt has ties (one transaction, one now()) and distinct values.
      const trials = [
        ...(await store.trials.createMany(e.id, Array.from({ length: 9 }, () => ({ name: unique('t'), params: {} })))),
        ...(await store.trials.createMany(e.id, Array.from({ length: 8 }, () => ({ name: unique('t'), params: {} })))),
      ]
      // Ties on the objective, nulls, a negative value: the tie-break and the null range must hold.
      const objectives = [0.5, null, 0.25, 0.5, -1, null, 3, 0.25, 0.5, null, 2, 0.1, null, 0.5, 7, 0, null]
      for (const [i, t] of trials.entries()) {
        if (objectives[i] !== null) await store.trials.update(t.id, { objective: objectives[i] })
      }
      const fresh = await store.trials.list(e.id)
      for (const sort of ['objective', 'number', 'createdAt'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          for (const limit of [1, 3, 5, 17, 50]) {
            const pages = await allPages(store, e.id, { sort, order, limit })
            const seen = pages.flat().map((t) => t.number)
            assert.deepEqual(seen, expectedOrder(fresh, sort, order), `${sort} ${order} limit ${limit}`)
          }
        }
      }
    })

    test('trial pages filter by state and report no next page when the last one is exactly full', async () => {
      const store = getStore()
      const e = await newExperiment()
      const trials = await store.trials.createMany(e.id, Array.from({ length: 6 }, () => ({ name: unique('t'), params: {} })))
      const states: TrialState[] = ['Succeeded', 'Running', 'Succeeded', 'Failed', 'Succeeded', 'Pending']
      for (const [i, t] of trials.entries()) if (states[i] !== 'Pending') await store.trials.transition(t.id, ['Pending'], states[i])
      const page = await store.trials.page(e.id, { sort: 'number', order: 'asc', limit: 3, states: ['Succeeded'] })
      assert.deepEqual(page.items.map((t) => t.number), [0, 2, 4])
      assert.equal(page.next, undefined)
      const two = await store.trials.page(e.id, { sort: 'number', order: 'desc', limit: 2, states: ['Succeeded', 'Failed'] })
      assert.deepEqual(two.items.map((t) => t.number), [4, 3])
      assert.deepEqual(two.next, { key: 3, number: 3 })
      assert.deepEqual((await store.trials.page(e.id, { sort: 'number', order: 'asc', limit: 5, states: [] })).items, [])
      assert.deepEqual((await store.trials.page(randomUUID(), { sort: 'objective', order: 'asc', limit: 5 })).items, [])
    })

    test('a createdAt position keeps microseconds, so trials within one millisecond are neither skipped nor repeated', async () => {
      const store = getStore()
      const e = await newExperiment()
      await store.trials.createMany(e.id, [{ name: unique('t'), params: {} }])
      const page = await store.trials.page(e.id, { sort: 'createdAt', order: 'asc', limit: 1 })
      assert.equal(page.next, undefined)
      await store.trials.createMany(e.id, [{ name: unique('t'), params: {} }])
      const first = await store.trials.page(e.id, { sort: 'createdAt', order: 'asc', limit: 1 })
      assert.match(String(first.next?.key), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    })

    test('countByStateForExperiments counts several experiments at once, zeros included', async () => {
      const store = getStore()
      const a = await newExperiment()
      const b = await newExperiment()
      const [t] = await store.trials.createMany(a.id, [{ name: unique('t'), params: {} }, { name: unique('t'), params: {} }])
      await store.trials.transition(t.id, ['Pending'], 'Running')
      const counts = await store.trials.countByStateForExperiments([a.id, b.id])
      assert.equal(counts.get(a.id)?.Pending, 1)
      assert.equal(counts.get(a.id)?.Running, 1)
      assert.equal(counts.get(b.id)?.Pending, 0)
      assert.equal((await store.trials.countByStateForExperiments([])).size, 0)
    })

    test('experiment pages are newest first and filter by state, name substring and labels', async () => {
      const store = getStore()
      const tag = randomUUID().slice(0, 8)
      const made: ExperimentRecord[] = []
      for (let i = 0; i < 5; i++) {
        const labels = { team: i % 2 === 0 ? 'even' : 'odd', tag }
        made.push(await store.experiments.create({ name: `pg-${tag}-${i}`, spec: opaqueSpec({ metadata: { labels } }), seed: 1 }))
      }
      await store.experiments.update(made[1].id, { state: 'Running' })
      const names: string[] = []
      let after
      for (;;) {
        const page = await store.experiments.page({ labels: { tag }, limit: 2, ...(after ? { after } : {}) })
        names.push(...page.items.map((e) => e.name))
        if (!page.next) break
        after = page.next
      }
      assert.deepEqual(names, made.map((e) => e.name).reverse())
      const even = await store.experiments.page({ labels: { tag, team: 'even' }, limit: 10 })
      assert.deepEqual(even.items.map((e) => e.name), [4, 2, 0].map((i) => `pg-${tag}-${i}`))
      const running = await store.experiments.page({ labels: { tag }, states: ['Running'], limit: 10 })
      assert.deepEqual(running.items.map((e) => e.name), [made[1].name])
      const byName = await store.experiments.page({ nameContains: `${tag.toUpperCase()}-3`, limit: 10 })
      assert.deepEqual(byName.items.map((e) => e.name), [made[3].name])
      // LIKE wildcards in the substring are literal.
      assert.deepEqual((await store.experiments.page({ nameContains: `${tag}_%`, limit: 10 })).items, [])
      assert.deepEqual((await store.experiments.page({ labels: { tag: `${tag}'; drop table trials; --` }, limit: 10 })).items, [])
    })

    test('experiment transition is a compare-and-set on state', async () => {
      const store = getStore()
      const e = await newExperiment()
      const running = await store.experiments.transition(e.id, ['Created', 'Restarting'], { state: 'Running', reason: 'ExperimentRunning' })
      assert.equal(running?.state, 'Running')
      assert.equal(running?.reason, 'ExperimentRunning')
      assert.equal(await store.experiments.transition(e.id, ['Created'], { state: 'Failed' }), undefined)
      assert.equal((await store.experiments.get(e.id))?.state, 'Running')
      assert.equal(await store.experiments.transition(randomUUID(), ['Running'], { state: 'Failed' }), undefined)
      assert.equal(await store.experiments.transition(e.id, [], { state: 'Failed' }), undefined)
    })

    test('pendingMigrations is empty on a migrated database', async () => {
      assert.deepEqual(await getStore().pendingMigrations(), [])
    })
  })
}
