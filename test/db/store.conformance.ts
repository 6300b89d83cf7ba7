import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { TunewellError, type ErrorCode } from '../../core/errors.ts'
import type { MetricPoint } from '../../core/metric.ts'
import { TRIAL_STATES, type TrialState } from '../../core/trial.ts'
import type { ExperimentRecord, ExperimentState, Store } from '../../db/store.ts'
import { describeStorePages } from './store-pages.conformance.ts'
import { describeStoreLeases } from './store-leases.conformance.ts'
import { opaqueSpec } from '../helpers/opaque-spec.ts'

// A Record, not a list, so adding an ExperimentState without covering it here fails to compile.
const EXPERIMENT_STATES = Object.keys({
  Created: true, Running: true, Restarting: true, Succeeded: true, Failed: true,
} satisfies Record<ExperimentState, true>) as ExperimentState[]

// 64 bits: the 9,001 trials of one test would meet a birthday collision of 32-bit names about once in a hundred runs.
const unique = (prefix: string) => `${prefix}-${randomUUID().replaceAll('-', '').slice(0, 16)}`
const at = new Date('2026-01-02T03:04:05.678Z')
const point = (name: string, step: number, value: number): MetricPoint => ({ name, step, value, at })

const rejectsWith = (promise: Promise<unknown>, code: ErrorCode, message?: RegExp) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TunewellError, `expected a TunewellError, got ${String(error)}`)
    assert.equal(error.code, code)
    if (message) assert.match(error.message, message)
    return true
  })

/**
 * The contract every Store must meet, run against each backend. `open` is called once; tests
 * share the store and stay independent by using unique names.
 */
export function describeStoreConformance(
  name: string,
  open: () => Promise<Store>,
  options: { readonly skip?: string | false } = {},
): void {
  describe(name, { skip: options.skip }, () => {
    let store: Store
    before(async () => {
      store = await open()
    })
    after(async () => {
      await store?.destroy()
      await store?.destroy() // idempotent: overlapping shutdown paths must not throw
    })

    const newExperiment = (seed = 42): Promise<ExperimentRecord> =>
      store.experiments.create({ name: unique('exp'), spec: opaqueSpec({ spec: { parameters: [{ name: 'lr' }] } }), seed })
    const newTrials = (experimentId: string, count: number) =>
      store.trials.createMany(
        experimentId,
        Array.from({ length: count }, () => ({ name: unique('trial'), params: { lr: 0.1, layers: 3, opt: 'adam', act: 'relu' } })),
      )

    describe('experiments', () => {
      test('create, get, getByName, list and update round-trip every field', async () => {
        const spec = { metadata: { name: 'x' }, spec: { parameters: [{ name: 'lr', min: '0.01' }], tags: [] } }
        const created = await store.experiments.create({ name: unique('exp'), spec: opaqueSpec(spec), seed: 2 ** 40 + 3 })
        assert.equal(created.state, 'Created')
        assert.deepEqual(created.spec, spec)
        assert.equal(created.seed, 2 ** 40 + 3)
        assert.equal(typeof created.seed, 'number')
        assert.ok(created.createdAt instanceof Date)
        assert.equal(created.reason, null)
        assert.equal(created.bestTrialId, null)
        assert.equal(created.startedAt, null)
        assert.deepEqual(await store.experiments.get(created.id), created)
        assert.deepEqual(await store.experiments.getByName(created.name), created)
        assert.equal(await store.experiments.get(randomUUID()), undefined)
        assert.equal(await store.experiments.get('not-a-uuid'), undefined)

        const startedAt = new Date('2026-03-04T05:06:07.089Z')
        const updated = await store.experiments.update(created.id, {
          state: 'Running', reason: 'ExperimentRunning', message: 'running', startedAt, spec: opaqueSpec(['replaced']),
        })
        assert.equal(updated.state, 'Running')
        assert.equal(updated.reason, 'ExperimentRunning')
        assert.deepEqual(updated.startedAt, startedAt)
        assert.deepEqual(updated.spec, ['replaced'])
        assert.equal(updated.completedAt, null)
        assert.deepEqual(await store.experiments.update(created.id, {}), updated)
        const cleared = await store.experiments.update(created.id, { reason: null })
        assert.equal(cleared.reason, null)
        assert.equal(cleared.message, 'running')

        const names = (await store.experiments.list()).map((e) => e.name)
        assert.ok(names.includes(created.name))
      })

      test('every ExperimentState can be stored', async () => {
        const e = await newExperiment()
        for (const state of EXPERIMENT_STATES) {
          assert.equal((await store.experiments.update(e.id, { state })).state, state)
        }
      })

      test('a duplicate name throws EXPERIMENT_EXISTS without poisoning the transaction', async () => {
        const e = await newExperiment()
        await rejectsWith(
          store.experiments.create({ name: e.name, spec: opaqueSpec({}), seed: 1 }),
          'EXPERIMENT_EXISTS',
          new RegExp(`experiment "${e.name}" already exists`),
        )
        const other = unique('exp')
        await store.transaction(async (tx) => {
          await rejectsWith(tx.experiments.create({ name: e.name, spec: opaqueSpec({}), seed: 1 }), 'EXPERIMENT_EXISTS')
          await tx.experiments.create({ name: other, spec: opaqueSpec({}), seed: 1 })
        })
        assert.ok(await store.experiments.getByName(other))
      })

      test('update and delete of a missing experiment throw EXPERIMENT_NOT_FOUND', async () => {
        await rejectsWith(store.experiments.update(randomUUID(), { state: 'Failed' }), 'EXPERIMENT_NOT_FOUND')
        await rejectsWith(store.experiments.delete(randomUUID()), 'EXPERIMENT_NOT_FOUND')
        await rejectsWith(store.transaction((tx) => tx.experiments.lock(randomUUID())), 'EXPERIMENT_NOT_FOUND')
      })

      test('delete removes trials, observations, algorithm state and events', async () => {
        const e = await newExperiment()
        const [t] = await newTrials(e.id, 2)
        await store.experiments.update(e.id, { bestTrialId: t.id })
        await store.observations.append(t.id, [point('loss', 0, 1)])
        await store.algorithmStates.put(e.id, { n: 1 }, 0)
        await store.events.append({ experimentId: e.id, trialId: t.id, type: 'trial:created', payload: { name: t.name, params: t.params } })
        const survivor = await newExperiment()
        const [s] = await newTrials(survivor.id, 1)
        await store.observations.append(s.id, [point('loss', 0, 1)])

        await store.experiments.delete(e.id)
        assert.equal(await store.experiments.get(e.id), undefined)
        assert.equal(await store.trials.get(t.id), undefined)
        assert.deepEqual(await store.trials.list(e.id), [])
        assert.deepEqual(await store.observations.list(t.id), [])
        assert.equal(await store.observations.countForExperiment(e.id), 0)
        assert.equal(await store.algorithmStates.get(e.id), undefined)
        assert.deepEqual(await store.events.list(e.id), [])
        assert.equal(await store.observations.countForExperiment(survivor.id), 1)
      })
    })

    describe('trials', () => {
      test('createMany numbers after the current maximum, across calls', async () => {
        const e = await newExperiment()
        const first = await newTrials(e.id, 3)
        const second = await newTrials(e.id, 2)
        assert.deepEqual(first.map((t) => t.number), [0, 1, 2])
        assert.deepEqual(second.map((t) => t.number), [3, 4])
        assert.deepEqual(await store.trials.createMany(e.id, []), [])
        const t = first[0]
        assert.equal(t.experimentId, e.id)
        assert.equal(t.state, 'Pending')
        assert.deepEqual(t.params, { lr: 0.1, layers: 3, opt: 'adam', act: 'relu' })
        assert.equal(t.restarts, 0)
        assert.equal(t.objective, null)
        assert.equal(t.metrics, null)
        assert.equal(t.execution, null)
        assert.ok(t.createdAt instanceof Date)
        assert.deepEqual(await store.trials.get(t.id), t)
        assert.deepEqual(await store.trials.getByName(t.name), t)
        assert.deepEqual((await store.trials.list(e.id)).map((x) => x.number), [0, 1, 2, 3, 4])
        await rejectsWith(newTrials(randomUUID(), 1), 'EXPERIMENT_NOT_FOUND')
      })

      test('createMany and appendMany take more rows than one statement has parameters for', async () => {
        const e = await newExperiment()
        await newTrials(e.id, 1)
        const many = await newTrials(e.id, 9_001)
        assert.equal(many.length, 9_001)
        assert.ok(many.every((t, i) => t.number === i + 1), 'numbered on without a gap across chunks')
        assert.equal((await store.trials.tally(e.id)).total, 9_002)
        await store.events.appendMany(many.concat(many).map((t) => ({ experimentId: e.id, trialId: t.id, type: 'trial:created' as const, payload: { name: t.name, params: t.params } })))
        assert.equal((await store.events.list(e.id)).length, 18_002)
      })

      test('transition is a compare-and-set on state', async () => {
        const e = await newExperiment()
        const [t] = await newTrials(e.id, 1)
        const startedAt = new Date('2026-05-06T07:08:09.010Z')
        assert.equal(await store.trials.transition(t.id, ['Pending'], 'Running', { startedAt, execution: { pid: 7 } }), true)
        assert.equal(await store.trials.transition(t.id, ['Pending'], 'Running'), false)
        assert.equal(await store.trials.transition(t.id, [], 'Killed'), false)
        assert.equal(await store.trials.transition(randomUUID(), ['Pending'], 'Running'), false)
        const running = await store.trials.get(t.id)
        assert.equal(running?.state, 'Running')
        assert.deepEqual(running?.startedAt, startedAt)
        assert.deepEqual(running?.execution, { pid: 7 })

        const metrics = { loss: { min: 0.1, max: 0.9, latest: 0.2 } }
        assert.equal(
          await store.trials.transition(t.id, ['Pending', 'Running'], 'Succeeded', { objective: 0.2, metrics, execution: null }),
          true,
        )
        const done = await store.trials.get(t.id)
        assert.equal(done?.state, 'Succeeded')
        assert.equal(done?.objective, 0.2)
        assert.deepEqual(done?.metrics, metrics)
        assert.equal(done?.execution, null)
      })

      test('transitionMany is a compare-and-set per trial in one call; setExecutions writes each trial its own handle', async () => {
        const e = await newExperiment()
        const trials = await newTrials(e.id, 4)
        assert.equal(await store.trials.transition(trials[1]!.id, ['Pending'], 'Killed'), true)
        const startedAt = new Date('2026-05-06T07:08:09.010Z')
        const ids = [...trials.map((t) => t.id), randomUUID()]
        const moved = await store.trials.transitionMany(ids, ['Pending'], 'Running', { startedAt, execution: { launching: true } })
        assert.deepEqual(moved.sort(), [trials[0]!.id, trials[2]!.id, trials[3]!.id].sort())
        assert.deepEqual(await store.trials.transitionMany(ids, ['Pending'], 'Running'), [])
        assert.deepEqual(await store.trials.transitionMany([], ['Pending'], 'Running'), [])
        assert.equal((await store.trials.get(trials[1]!.id))?.state, 'Killed')

        await store.trials.setExecutions([
          { id: trials[0]!.id, execution: { kind: 'kubernetes', name: 'a', uid: 'u-0' } },
          { id: trials[2]!.id, execution: { kind: 'kubernetes', name: "it's \"c\"", uid: 'u-2' } },
          { id: randomUUID(), execution: { kind: 'kubernetes', name: 'nobody' } },
        ])
        await store.trials.setExecutions([])
        const before = (await store.events.list(e.id)).length
        const event = { type: 'trial:state-changed', payload: { state: 'Succeeded', reason: 'Done', objective: 0.5 } } as const
        assert.deepEqual(await store.trials.transitionMany([trials[0]!.id, trials[1]!.id], ['Running'], 'Succeeded', { objective: 0.5 }, event), [trials[0]!.id])
        assert.deepEqual(await store.trials.transitionMany([trials[0]!.id], ['Running'], 'Failed', {}, event), [], 'no event without a change')
        const events = (await store.events.list(e.id)).slice(before)
        assert.deepEqual(events.map((ev) => [ev.trialId, ev.type, ev.payload]), [[trials[0]!.id, 'trial:state-changed', event.payload]])
        assert.equal(await store.trials.transition(trials[0]!.id, ['Succeeded'], 'Running'), true)
        const after = await store.trials.list(e.id)
        assert.deepEqual(after.map((t) => t.state), ['Running', 'Killed', 'Running', 'Running'])
        assert.deepEqual(after[0]!.startedAt, startedAt)
        assert.deepEqual(after.map((t) => t.execution), [
          { kind: 'kubernetes', name: 'a', uid: 'u-0' }, null, { kind: 'kubernetes', name: "it's \"c\"", uid: 'u-2' }, { launching: true },
        ])
      })

      test('update patches fields, keeps NaN/Infinity objectives, and throws TRIAL_NOT_FOUND', async () => {
        const e = await newExperiment()
        const [t] = await newTrials(e.id, 1)
        for (const objective of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.5]) {
          assert.ok(Object.is((await store.trials.update(t.id, { objective })).objective, objective))
        }
        const updated = await store.trials.update(t.id, { restarts: 2, reason: 'TrialRestarted', execution: 'handle' })
        assert.equal(updated.restarts, 2)
        assert.equal(updated.reason, 'TrialRestarted')
        assert.equal(updated.execution, 'handle')
        assert.deepEqual(await store.trials.update(t.id, {}), updated)
        await rejectsWith(store.trials.update(randomUUID(), { restarts: 1 }), 'TRIAL_NOT_FOUND')
      })

      test('list filters by state; countByState reports every state, zeros included', async () => {
        const e = await newExperiment()
        const zeros = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0]))
        assert.deepEqual(await store.trials.countByState(e.id), zeros)
        const trials = await newTrials(e.id, TRIAL_STATES.length + 1)
        // Every state must pass the CHECK constraint.
        for (const [i, state] of TRIAL_STATES.entries()) {
          if (state !== 'Pending') assert.equal(await store.trials.transition(trials[i].id, ['Pending'], state), true)
        }
        const expected = { ...zeros, Pending: 2 } as Record<TrialState, number>
        for (const state of TRIAL_STATES) if (state !== 'Pending') expected[state] = 1
        assert.deepEqual(await store.trials.countByState(e.id), expected)
        const active = await store.trials.list(e.id, { states: ['Pending', 'Running'] })
        assert.deepEqual(active.map((t) => t.state), ['Pending', 'Running', 'Pending'])
        assert.deepEqual(await store.trials.list(e.id, { states: [] }), [])
      })

      test('recentNamesByState keeps each state\'s most recent names, oldest first, every state present', async () => {
        const e = await newExperiment()
        const empty = Object.fromEntries(TRIAL_STATES.map((s) => [s, []]))
        assert.deepEqual(await store.trials.recentNamesByState(e.id, 3), empty)
        const trials = await newTrials(e.id, 7)
        // Trials 0, 2, 4, 6 succeed; 1 and 5 fail; 3 stays Pending.
        for (const i of [0, 2, 4, 6]) assert.equal(await store.trials.transition(trials[i].id, ['Pending'], 'Succeeded'), true)
        for (const i of [1, 5]) assert.equal(await store.trials.transition(trials[i].id, ['Pending'], 'Failed'), true)
        const names = (...indexes: number[]) => indexes.map((i) => trials[i].name)
        assert.deepEqual(await store.trials.recentNamesByState(e.id, 3), {
          ...empty, Succeeded: names(2, 4, 6), Failed: names(1, 5), Pending: names(3),
        })
        assert.deepEqual((await store.trials.recentNamesByState(e.id, 1)).Succeeded, names(6))
        assert.deepEqual(await store.trials.recentNamesByState(e.id, 0), empty)
        // Another experiment's trials never appear.
        assert.deepEqual(await store.trials.recentNamesByState((await newExperiment()).id, 10), empty)
      })
    })

    describe('observations', () => {
      test('append is an idempotent upsert on (trial, name, step)', async () => {
        const e = await newExperiment()
        const [t] = await newTrials(e.id, 1)
        const points = [point('loss', 0, 0.9), point('loss', 1, 0.5), point('acc', 0, 0.1)]
        await store.observations.append(t.id, points)
        await store.observations.append(t.id, points)
        assert.equal((await store.observations.list(t.id)).length, 3)
        await store.observations.append(t.id, [point('loss', 1, 0.4), point('loss', 2, 0.3), point('loss', 2, 0.35)])
        const list = await store.observations.list(t.id)
        assert.deepEqual(
          list.map((p) => [p.name, p.step, p.value]),
          [['acc', 0, 0.1], ['loss', 0, 0.9], ['loss', 1, 0.4], ['loss', 2, 0.35]],
        )
        assert.deepEqual(list[0].at, at)
        assert.deepEqual((await store.observations.list(t.id, ['acc'])).map((p) => p.name), ['acc'])
        assert.deepEqual(await store.observations.list(t.id, []), [])
        await store.observations.append(t.id, [])
        await rejectsWith(store.observations.append(randomUUID(), points), 'TRIAL_NOT_FOUND')
      })

      test('NaN and ±Infinity round-trip and are ignored by summarize', async () => {
        const e = await newExperiment()
        const [t] = await newTrials(e.id, 1)
        await store.observations.append(t.id, [
          point('loss', 1, 0.5),
          point('loss', 2, Number.NaN),
          point('loss', 3, Number.POSITIVE_INFINITY),
          point('loss', 4, Number.NEGATIVE_INFINITY),
          point('loss', 0, 0.8),
          point('broken', 0, Number.NaN),
          point('broken', 1, Number.POSITIVE_INFINITY),
        ])
        const values = (await store.observations.list(t.id, ['loss'])).map((p) => p.value)
        assert.deepEqual(values, [0.8, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
        assert.deepEqual(await store.observations.summarize(t.id), { loss: { min: 0.5, max: 0.8, latest: 0.5, count: 2 } })
      })

      test('a text value round-trips; only a metric reported as nothing but text has a text summary, and no numeric reader sees it', async () => {
        const e = await newExperiment()
        const [t] = await newTrials(e.id, 1)
        const text = (name: string, step: number, value: string) => ({ ...point(name, step, Number.NaN), text: value })
        await store.observations.append(t.id, [
          text('genotype', 0, 'Genotype(a)'), text('genotype', 1, 'Genotype(b)'),
          point('loss', 0, 0.5), text('loss', 1, 'garbage'),
        ])
        // A resent point overwrites its text too, and a number may replace a text.
        await store.observations.append(t.id, [text('genotype', 1, "Genotype('c')"), point('loss', 1, 0.25)])
        const listed = await store.observations.list(t.id, ['genotype'])
        assert.deepEqual(listed.map((p) => p.text), ['Genotype(a)', "Genotype('c')"])
        assert.ok(listed.every((p) => Number.isNaN(p.value)))
        assert.equal((await store.observations.list(t.id, ['loss'])).some((p) => p.text !== undefined), false)
        assert.deepEqual(await store.observations.textSummaries(t.id), { genotype: "Genotype('c')" })
        assert.deepEqual(await store.observations.summarize(t.id), { loss: { min: 0.25, max: 0.5, latest: 0.25, count: 2 } })
        assert.deepEqual([...(await store.observations.curves(e.id, 'genotype')).keys()], [])
        await store.observations.append(t.id, [text('loss', 2, 'garbage')])
        assert.deepEqual(await store.observations.textSummaries(t.id), { genotype: "Genotype('c')" }, 'a metric with a number is not text')
        assert.deepEqual((await store.observations.curves(e.id, 'loss')).get(t.id), [{ step: 0, value: 0.5 }, { step: 1, value: 0.25 }])
        await store.trials.update(t.id, { textMetrics: { genotype: "Genotype('c')" } })
        assert.deepEqual((await store.trials.get(t.id))?.textMetrics, { genotype: "Genotype('c')" })
      })

      test('summarize takes latest from the highest step, not the last write', async () => {
        const e = await newExperiment()
        const [t] = await newTrials(e.id, 1)
        await store.observations.append(t.id, [point('acc', 5, 0.7), point('acc', 9, 0.6)])
        await store.observations.append(t.id, [point('acc', 2, 0.9), point('acc', 7, 0.1)])
        const summary = await store.observations.summarize(t.id)
        assert.deepEqual(summary, { acc: { min: 0.1, max: 0.9, latest: 0.6, count: 4 } })
        assert.equal(typeof summary.acc.count, 'number')
        assert.deepEqual(await store.observations.summarize(randomUUID()), {})
      })

      test('countForExperiment counts all trials; large batches are chunked; deleteForTrial', async () => {
        const e = await newExperiment()
        const [a, b] = await newTrials(e.id, 2)
        const many = Array.from({ length: 2500 }, (_, i) => point('loss', i, 1 / (i + 1)))
        await store.observations.append(a.id, many)
        await store.observations.append(b.id, [point('loss', 0, 1), point('acc', 0, 1)])
        const count = await store.observations.countForExperiment(e.id)
        assert.equal(count, 2502)
        assert.equal(typeof count, 'number')
        assert.equal((await store.observations.summarize(a.id)).loss.count, 2500)
        await store.observations.deleteForTrial(a.id)
        assert.equal(await store.observations.countForExperiment(e.id), 2)
      })
    })

    describe('algorithm states', () => {
      test('put checks the expected version', async () => {
        const e = await newExperiment()
        assert.equal(await store.algorithmStates.get(e.id), undefined)
        await store.algorithmStates.put(e.id, { rng: [1, 2, 3, 4], history: [] }, 0)
        assert.deepEqual(await store.algorithmStates.get(e.id), { state: { rng: [1, 2, 3, 4], history: [] }, version: 1 })
        await store.algorithmStates.put(e.id, [5, 6], 1)
        assert.deepEqual(await store.algorithmStates.get(e.id), { state: [5, 6], version: 2 })
        await rejectsWith(store.algorithmStates.put(e.id, 'stale', 1), 'STATE_CONFLICT', /version 2, not 1/)
        await rejectsWith(store.algorithmStates.put(e.id, 'fresh', 0), 'STATE_CONFLICT')
        assert.deepEqual(await store.algorithmStates.get(e.id), { state: [5, 6], version: 2 })
        await rejectsWith(store.algorithmStates.put(randomUUID(), {}, 3), 'STATE_CONFLICT')
        await rejectsWith(store.algorithmStates.put(randomUUID(), {}, 0), 'EXPERIMENT_NOT_FOUND')
      })
    })

    describe('events', () => {
      test('list is ordered by id and honours afterId', async () => {
        const e = await newExperiment()
        const other = await newExperiment()
        const [t] = await newTrials(e.id, 1)
        await store.events.append({ experimentId: e.id, type: 'experiment:state-changed', payload: { state: 'Running' } })
        await store.events.append({ experimentId: other.id, type: 'experiment:created', payload: { name: 'noise' } })
        await store.events.append({ experimentId: e.id, trialId: t.id, type: 'trial:created', payload: { name: t.name, params: { x: 1, y: 'b' } } })
        await store.events.append({ experimentId: e.id, trialId: null, type: 'experiment:new-best', payload: { objective: null } })
        const events = await store.events.list(e.id)
        assert.deepEqual(events.map((x) => x.type), ['experiment:state-changed', 'trial:created', 'experiment:new-best'])
        assert.ok(events.every((x) => typeof x.id === 'number' && x.at instanceof Date && x.experimentId === e.id))
        assert.ok(events[0].id < events[1].id && events[1].id < events[2].id)
        assert.deepEqual(events[0].payload, { state: 'Running' })
        assert.deepEqual(events[1].payload, { name: t.name, params: { x: 1, y: 'b' } })
        assert.equal(events[1].trialId, t.id)
        assert.deepEqual(events[2].payload, { objective: null })
        assert.equal(events[2].trialId, null)
        assert.deepEqual((await store.events.list(e.id, events[0].id)).map((x) => x.id), [events[1].id, events[2].id])
        assert.deepEqual(await store.events.list(e.id, events[2].id), [])
        await rejectsWith(store.events.append({ experimentId: randomUUID(), type: 'experiment:created', payload: { name: 'x' } }), 'EXPERIMENT_NOT_FOUND')
      })
    })

    describeStorePages(() => store)
    describeStoreLeases(() => store)

    describe('transactions', () => {
      test('a throwing transaction writes nothing, nested calls included', async () => {
        const name = unique('exp')
        const boom = new Error('boom')
        await assert.rejects(
          store.transaction(async (tx) => {
            const e = await tx.experiments.create({ name, spec: opaqueSpec({}), seed: 1 })
            await tx.transaction(async (inner) => {
              const [t] = await inner.trials.createMany(e.id, [{ name: unique('trial'), params: {} }])
              await inner.events.append({ experimentId: e.id, trialId: t.id, type: 'trial:created', payload: { name: t.name, params: t.params } })
            })
            throw boom
          }),
          (error) => error === boom,
        )
        assert.equal(await store.experiments.getByName(name), undefined)
      })

      test('a resolving transaction commits and returns its value', async () => {
        const name = unique('exp')
        const id = await store.transaction(async (tx) => {
          const e = await tx.experiments.create({ name, spec: opaqueSpec({}), seed: 1 })
          await tx.experiments.lock(e.id)
          await tx.trials.createMany(e.id, [{ name: unique('trial'), params: {} }])
          return e.id
        })
        assert.equal((await store.experiments.getByName(name))?.id, id)
        assert.equal((await store.trials.list(id)).length, 1)
      })

      test('lock outside a transaction is a programming error', async () => {
        const e = await newExperiment()
        await assert.rejects(store.experiments.lock(e.id), /inside store.transaction/)
      })

      test('concurrent transactions that lock the experiment never duplicate trial numbers', async () => {
        const e = await newExperiment()
        const workers = 5
        const perWorker = 3
        await Promise.all(
          Array.from({ length: workers }, () =>
            store.transaction(async (tx) => {
              await tx.experiments.lock(e.id)
              // Read-then-write with a pause: without the lock the workers would all see the same maximum.
              const before = await tx.trials.list(e.id)
              await sleep(20)
              const created = await tx.trials.createMany(
                e.id,
                Array.from({ length: perWorker }, () => ({ name: unique('trial'), params: {} })),
              )
              assert.equal(created[0].number, before.length)
            }),
          ),
        )
        const numbers = (await store.trials.list(e.id)).map((t) => t.number)
        assert.deepEqual(numbers, Array.from({ length: workers * perWorker }, (_, i) => i))
      })
    })
  })
}
