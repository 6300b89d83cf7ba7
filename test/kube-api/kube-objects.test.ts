import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createExperiment } from '../../api/operations/create-experiment.ts'
import { updateExperiment } from '../../api/operations/update-experiment.ts'
import { experimentObject, experimentObjects } from '../../api/kube/experiment-object.ts'
import { suggestionObject, suggestionObjects } from '../../api/kube/suggestion-object.ts'
import { trialObjects } from '../../api/kube/trial-object.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../../db/store.ts'
import { completeExperiment } from '../../lifecycle/complete-experiment.ts'
import { finishTrial } from '../../lifecycle/finish-trial.ts'
import { startExperiment } from '../../lifecycle/start-experiment.ts'
import { startTrial } from '../../lifecycle/start-trial.ts'
import { updateBestTrial } from '../../lifecycle/update-best-trial.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { uniqueName } from '../helpers/test-app.ts'
import { openTestStore } from '../helpers/test-store.ts'

/**
 * The Kubernetes API's objects (api/kube/*-object.ts) from a real store, the experiment driven
 * through the lifecycle functions the controller uses: metadata (namespace, uid, resourceVersion
 * from the events, generation from spec changes), Katib's status, and the batching promise.
 */
describe('Kubernetes objects from the store', () => {
  let store: Store
  before(async () => {
    store = await openTestStore()
  })
  after(() => store?.destroy())

  const submit = async (name: string, metadata: Record<string, unknown> = {}, max = 4): Promise<ExperimentRecord> => {
    const spec = quadraticExperiment({ name, max, parallel: 2 })
    const { record } = await createExperiment(store, { json: { ...spec, metadata: { ...spec.metadata, ...metadata } } })
    return record
  }
  /** As the suggestion service creates trials: rows and their trial:created events in one transaction. */
  const newTrials = (experiment: ExperimentRecord, params: readonly { x: number; y: number }[]) => store.transaction(async (tx) => {
    const trials = await tx.trials.createMany(experiment.id, params.map((p, i) => ({ name: `${experiment.name}-${i}${uniqueName('t').slice(-4)}`, params: p })))
    await tx.events.appendMany(trials.map((t) => ({ experimentId: experiment.id, trialId: t.id, type: 'trial:created' as const, payload: { name: t.name, params: t.params } })))
    return trials
  })
  const latestEventId = async (experimentId: string, trialId?: string) => {
    const events = (await store.events.list(experimentId)).filter((e) => trialId === undefined || e.trialId === trialId)
    return Math.max(0, ...events.map((e) => e.id))
  }
  const fresh = async (id: string) => (await store.experiments.get(id))!

  test('a new experiment: namespace, uid, labels, resourceVersion of its latest event, generation 1, Katib status Created', async () => {
    const name = uniqueName('ko')
    const record = await submit(name, { namespace: 'team-a', labels: { owner: 'ana' }, annotations: { note: 'first' } })
    const object = await experimentObject(store, record)
    assert.equal(object.apiVersion, 'kubeflow.org/v1beta1')
    assert.equal(object.kind, 'Experiment')
    assert.deepEqual(object.metadata, {
      name,
      namespace: 'team-a',
      uid: record.id,
      resourceVersion: String(await latestEventId(record.id)),
      generation: 1,
      creationTimestamp: record.createdAt.toISOString().replace(/\.\d+Z$/, 'Z'),
      labels: { owner: 'ana' },
      annotations: { note: 'first' },
    })
    assert.deepEqual(object.spec, record.spec.spec)
    assert.deepEqual(object.status.conditions?.map((c) => [c.type, c.status, c.reason]), [['Created', 'True', 'ExperimentCreated']])
    assert.equal(object.status.trials, 0)
    // Without metadata.namespace, `default`.
    assert.equal((await experimentObject(store, await submit(uniqueName('ko')))).metadata.namespace, 'default')
  })

  test('status follows the trials; resourceVersion moves with each of its events and only with its own', async () => {
    const record = await submit(uniqueName('ko'))
    const other = await submit(uniqueName('ko'))
    await startExperiment(store, record, 'running')
    const [a, b, c] = await newTrials(record, [{ x: 0.3, y: 0.7 }, { x: 0.9, y: 0.1 }, { x: 0.5, y: 0.5 }])
    for (const t of [a!, b!]) assert.ok(await startTrial(store, t, null))
    assert.ok(await finishTrial(store, a!, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'trial succeeded', objective: 0 }, { loss: { min: 0, max: 0.2, latest: 0 } }))
    const trials = await store.trials.list(record.id)
    await updateBestTrial(store, await fresh(record.id), trials)
    const before = await experimentObject(store, await fresh(record.id))
    assert.equal(before.metadata.resourceVersion, String(await latestEventId(record.id)))
    assert.deepEqual(before.status.conditions?.map((x) => [x.type, x.status]), [['Created', 'True'], ['Running', 'True']])
    assert.deepEqual([before.status.trials, before.status.trialsSucceeded, before.status.trialsRunning, before.status.trialsPending], [3, 1, 1, 1])
    assert.deepEqual([before.status.succeededTrialList, before.status.runningTrialList, before.status.pendingTrialList], [[a!.name], [b!.name], [c!.name]])
    assert.equal(before.status.currentOptimalTrial?.bestTrialName, a!.name)
    assert.deepEqual(before.status.currentOptimalTrial?.parameterAssignments, [{ name: 'x', value: '0.3' }, { name: 'y', value: '0.7' }])
    assert.deepEqual(before.status.currentOptimalTrial?.observation?.metrics?.[0], { name: 'loss', min: '0', max: '0.2', latest: '0' })

    // Another experiment's event leaves this object as it was, byte for byte (no clock in it).
    await newTrials(other, [{ x: 0.1, y: 0.1 }])
    assert.deepEqual(await experimentObject(store, await fresh(record.id)), before)

    const done = await completeExperiment(store, record.id, { state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', message: 'done' })
    const after = await experimentObject(store, done!)
    assert.ok(Number(after.metadata.resourceVersion) > Number(before.metadata.resourceVersion))
    assert.equal(after.metadata.resourceVersion, String(await latestEventId(record.id)))
    const last = after.status.conditions!.at(-1)!
    assert.deepEqual([last.type, last.status, last.reason], ['Succeeded', 'True', 'ExperimentMaxTrialsReached'])
    assert.equal(after.status.conditions!.find((x) => x.type === 'Running')?.status, 'False')
    assert.ok(after.status.completionTime)
  })

  test('generation counts spec changes (a restart by a larger budget included); a metadata change moves only resourceVersion', async () => {
    const record = await submit(uniqueName('ko'), { labels: { a: '1' } }, 2)
    assert.equal((await experimentObject(store, record)).metadata.generation, 1)
    await updateExperiment(store, record.name, { spec: { maxTrialCount: 3 } })
    const updated = await experimentObject(store, await fresh(record.id))
    assert.equal(updated.metadata.generation, 2)
    assert.equal(updated.spec.maxTrialCount, 3)
    await store.events.append({ experimentId: record.id, type: 'experiment:metadata-changed', payload: { labels: { a: '2' }, annotations: {} } })
    const relabelled = await experimentObject(store, await fresh(record.id))
    assert.equal(relabelled.metadata.generation, 2)
    assert.ok(Number(relabelled.metadata.resourceVersion) > Number(updated.metadata.resourceVersion))
    // Completed by its budget, then a larger one under LongRunning restarts it: still a spec change.
    const long = await submit(uniqueName('ko'), {}, 2)
    await store.experiments.update(long.id, { spec: { ...long.spec, spec: { ...long.spec.spec, resumePolicy: 'LongRunning' } } })
    await startExperiment(store, await fresh(long.id), 'running')
    await newTrials(long, [{ x: 0.1, y: 0.2 }, { x: 0.2, y: 0.3 }])
    await completeExperiment(store, long.id, { state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', message: 'done' })
    await updateExperiment(store, long.name, { spec: { maxTrialCount: 4 } })
    const restarted = await experimentObject(store, await fresh(long.id))
    assert.equal(restarted.status.conditions!.at(-1)!.type, 'Restarting')
    assert.equal(restarted.metadata.generation, 2)
  })

  test('experimentObjects keeps the order and costs the same few queries for 1 record as for 6', async () => {
    const records: ExperimentRecord[] = []
    for (let i = 0; i < 6; i++) {
      const r = await submit(uniqueName('kb'))
      await newTrials(r, [{ x: i / 10, y: 0.5 }])
      records.push(r)
    }
    const counted = countingStore(store)
    const one = await experimentObjects(counted.store, records.slice(0, 1))
    const oneCalls = counted.calls()
    const six = await experimentObjects(counted.store, records)
    assert.equal(counted.calls() - oneCalls, oneCalls)
    assert.ok(oneCalls <= 4, `${oneCalls} store calls`)
    assert.deepEqual(six.map((o) => o.metadata.name), records.map((r) => r.name))
    assert.deepEqual(six[0], one[0])
    for (const [i, object] of six.entries()) {
      assert.equal(object.metadata.resourceVersion, String(await latestEventId(records[i]!.id)))
      assert.equal(object.status.trialsPending, 1)
    }
    assert.deepEqual(await experimentObjects(store, []), [])
  })

  test('trial objects: Katib shape, labels and owner, conditions by state, observation, each its own resourceVersion', async () => {
    const record = await submit(uniqueName('kt'), { namespace: 'team-b', labels: { owner: 'bo' } })
    await startExperiment(store, record, 'running')
    const [pending, running, succeeded, unavailable] = await newTrials(record, [{ x: 0.1, y: 0.2 }, { x: 0.2, y: 0.3 }, { x: 0.3, y: 0.4 }, { x: 0.4, y: 0.5 }])
    for (const t of [running!, succeeded!, unavailable!]) await startTrial(store, t, null)
    await finishTrial(store, succeeded!, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'trial succeeded', objective: 0.01 }, { loss: { min: 0.01, max: 0.5, latest: 0.01 }, accuracy: { min: 0.5, max: 0.9, latest: 0.9 } })
    await finishTrial(store, unavailable!, { state: 'MetricsUnavailable', reason: 'MetricsUnavailable', message: 'no loss', objective: null }, {})
    const trials = await store.trials.list(record.id)
    const objects = await trialObjects(store, await fresh(record.id), trials)
    assert.deepEqual(objects.map((o) => o.metadata.name), trials.map((t) => t.name))
    const byName = new Map(objects.map((o) => [o.metadata.name, o]))
    const s = byName.get(succeeded!.name)!
    assert.equal(s.kind, 'Trial')
    assert.equal(s.metadata.namespace, 'team-b')
    assert.equal(s.metadata.uid, succeeded!.id)
    assert.deepEqual(s.metadata.labels, { owner: 'bo', 'katib.kubeflow.org/experiment': record.name })
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', name: record.name, uid: record.id, controller: true, blockOwnerDeletion: true }])
    assert.equal(s.metadata.resourceVersion, String(await latestEventId(record.id, succeeded!.id)))
    assert.deepEqual(s.spec.parameterAssignments, [{ name: 'x', value: '0.3' }, { name: 'y', value: '0.4' }])
    assert.deepEqual(s.spec.objective, record.spec.spec.objective)
    assert.deepEqual(s.status.conditions.map((c) => [c.type, c.status, c.reason]), [['Created', 'True', 'TrialCreated'], ['Running', 'False', 'TrialRunning'], ['Succeeded', 'True', 'TrialSucceeded']])
    assert.deepEqual(s.status.observation?.metrics, [{ name: 'loss', min: '0.01', max: '0.5', latest: '0.01' }, { name: 'accuracy', min: '0.5', max: '0.9', latest: '0.9' }])
    assert.ok(s.status.completionTime)
    const p = byName.get(pending!.name)!
    assert.deepEqual(p.status.conditions.map((c) => c.type), ['Created'])
    assert.equal(p.status.observation, undefined)
    assert.deepEqual(byName.get(running!.name)!.status.conditions.map((c) => [c.type, c.status]), [['Created', 'True'], ['Running', 'True']])
    const u = byName.get(unavailable!.name)!
    assert.deepEqual(u.status.conditions.at(-1), { ...u.status.conditions.at(-1)!, type: 'MetricsUnavailable', status: 'True', reason: 'MetricsUnavailable' })
    assert.deepEqual(u.status.observation?.metrics[0], { name: 'loss', min: 'unavailable', max: 'unavailable', latest: 'unavailable' })
    // Trials change their own resourceVersions only.
    assert.notEqual(byName.get(pending!.name)!.metadata.resourceVersion, s.metadata.resourceVersion)
    assert.deepEqual(await trialObjects(store, record, []), [])
  })

  test('suggestion objects: named after the experiment, every assignment in trial order, conditions as Katib', async () => {
    const record = await submit(uniqueName('ks'))
    const created = await suggestionObject(store, record)
    assert.equal(created.kind, 'Suggestion')
    assert.equal(created.metadata.name, record.name)
    assert.notEqual(created.metadata.uid, record.id)
    assert.equal(created.metadata.labels?.['katib.kubeflow.org/experiment'], record.name)
    assert.deepEqual([created.spec.requests, created.status.suggestionCount, created.status.suggestions], [0, 0, undefined])
    assert.deepEqual(created.spec.algorithm, record.spec.spec.algorithm)
    assert.deepEqual(created.status.conditions.map((c) => c.type), ['Created', 'DeploymentReady'])
    await startExperiment(store, record, 'running')
    const trials: TrialRecord[] = await newTrials(record, [{ x: 0.1, y: 0.2 }, { x: 0.5, y: 0.6 }])
    const running = await suggestionObject(store, await fresh(record.id))
    assert.deepEqual([running.spec.requests, running.status.suggestionCount], [2, 2])
    assert.deepEqual(running.status.suggestions, trials.map((t) => ({ name: t.name, parameterAssignments: [{ name: 'x', value: String(t.params.x) }, { name: 'y', value: String(t.params.y) }] })))
    assert.equal(running.metadata.resourceVersion, String(await latestEventId(record.id)))
    assert.deepEqual(running.status.conditions.map((c) => [c.type, c.status]), [['Created', 'True'], ['DeploymentReady', 'True'], ['Running', 'True']])
    await completeExperiment(store, record.id, { state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', message: 'done' })
    const done = (await suggestionObjects(store, [await fresh(record.id)]))[0]!
    assert.deepEqual(done.status.conditions.map((c) => [c.type, c.status]), [['Created', 'True'], ['DeploymentReady', 'True'], ['Running', 'False'], ['Succeeded', 'True']])
    assert.equal(done.metadata.uid, created.metadata.uid)
  })

  test('store: experimentVersions, trialVersions, recentNamesByStateForExperiments, getMany', async () => {
    const record = await submit(uniqueName('kv'))
    const trials = await newTrials(record, [{ x: 0.1, y: 0.1 }, { x: 0.2, y: 0.2 }, { x: 0.3, y: 0.3 }])
    const bare = await store.trials.createMany(record.id, [{ name: `${record.name}-bare`, params: { x: 0, y: 0 } }])
    const versions = await store.events.experimentVersions([record.id, 'no-such-experiment'])
    assert.equal(versions.get(record.id)?.latestId, await latestEventId(record.id))
    assert.ok(versions.get(record.id)?.latestAt instanceof Date)
    assert.deepEqual(versions.get('no-such-experiment'), { latestId: 0, latestAt: null, specChanges: 0 })
    const trialVersions = await store.events.trialVersions(record.id, [...trials, ...bare].map((t) => t.id))
    for (const t of trials) assert.equal(trialVersions.get(t.id)?.latestId, await latestEventId(record.id, t.id))
    assert.equal(trialVersions.has(bare[0]!.id), false)
    const names = await store.trials.recentNamesByStateForExperiments([record.id, 'no-such-experiment'], 2)
    assert.deepEqual(names.get(record.id), await store.trials.recentNamesByState(record.id, 2))
    assert.deepEqual(names.get('no-such-experiment')?.Pending, [])
    const many = await store.trials.getMany([trials[2]!.id, 'no-such-trial', trials[0]!.id])
    assert.deepEqual(many.map((t) => t.id).sort(), [trials[0]!.id, trials[2]!.id].sort())
    assert.deepEqual(await store.trials.getMany([]), [])
  })
})

/** The store with every call of its parts' methods counted (a query each). */
function countingStore(store: Store): { store: Store; calls: () => number } {
  let calls = 0
  const wrap = <T extends object>(part: T): T => new Proxy(part, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls++
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  const counted = { ...store, experiments: wrap(store.experiments), trials: wrap(store.trials), events: wrap(store.events), observations: wrap(store.observations) } as Store
  return { store: counted, calls: () => calls }
}
