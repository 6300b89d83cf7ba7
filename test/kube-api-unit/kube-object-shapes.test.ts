import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { toExperimentObject } from '../../api/kube/experiment-object.ts'
import { objectMeta } from '../../api/kube/object-meta.ts'
import { suggestionUid, toSuggestionObject } from '../../api/kube/suggestion-object.ts'
import { toTrialObject, trialConditions } from '../../api/kube/trial-object.ts'
import { TRIAL_STATES, type TrialState } from '../../core/trial.ts'
import type { ExperimentRecord, TrialRecord } from '../../db/store.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'

const t0 = new Date('2026-03-01T10:00:00.250Z')
const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000)

function experiment(o: Partial<ExperimentRecord> = {}, resumePolicy?: 'Never' | 'LongRunning'): ExperimentRecord {
  const spec = quadraticExperiment({ name: 'shapes', max: 4 })
  return {
    id: 'e-1', name: 'shapes', state: 'Created', reason: null, message: null, seed: 1, bestTrialId: null,
    createdAt: t0, startedAt: null, completedAt: null,
    spec: { ...spec, spec: { ...spec.spec, ...(resumePolicy ? { resumePolicy } : {}) } },
    ...o,
  }
}

function trial(o: Partial<TrialRecord> = {}): TrialRecord {
  return {
    id: 't-1', experimentId: 'e-1', number: 0, name: 'shapes-abc', state: 'Pending', params: { y: 0.25, x: 0.5 }, objective: null, metrics: null,
    reason: null, message: null, execution: null, restarts: 0, createdAt: later(1), startedAt: null, finishedAt: null,
    idempotencyKey: null, heartbeatAt: null, worker: null, parentTrialName: null, generation: 0, ...o,
  }
}

const zero = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>

describe('Kubernetes object shapes (pure)', () => {
  test('objectMeta leaves out what is empty and writes times in whole seconds', () => {
    assert.deepEqual(objectMeta({ name: 'n', namespace: 'default', uid: 'u', resourceVersion: 7, generation: 1, createdAt: t0, labels: {}, annotations: undefined }), {
      name: 'n', namespace: 'default', uid: 'u', resourceVersion: '7', generation: 1, creationTimestamp: '2026-03-01T10:00:00Z',
    })
  })

  test('an experiment object takes its status times from its latest event, not the clock', () => {
    const record = experiment({ state: 'Running', startedAt: later(2) })
    const facts = { counts: zero, names: {}, best: undefined, version: { latestId: 12, latestAt: later(30), specChanges: 2 } }
    const object = toExperimentObject(record, facts)
    assert.equal(object.metadata.resourceVersion, '12')
    assert.equal(object.metadata.generation, 3)
    assert.equal(object.status.lastReconcileTime, '2026-03-01T10:00:30Z')
    assert.deepEqual(toExperimentObject(record, facts), object)
  })

  test('trial conditions per state, Katib\'s reasons and messages unless the trial has its own', () => {
    const types = (t: TrialRecord) => trialConditions(t).map((c) => `${c.type}=${c.status}:${c.reason}`)
    assert.deepEqual(types(trial()), ['Created=True:TrialCreated'])
    assert.deepEqual(types(trial({ state: 'Running', startedAt: later(2) })), ['Created=True:TrialCreated', 'Running=True:TrialRunning'])
    assert.deepEqual(types(trial({ state: 'Failed', startedAt: later(2), finishedAt: later(5), reason: 'TrialFailed', message: 'Job reason: Error. exit 3' })), [
      'Created=True:TrialCreated', 'Running=False:TrialRunning', 'Failed=True:TrialFailed',
    ])
    // Killed before it ever ran: no Running condition.
    assert.deepEqual(types(trial({ state: 'Killed', finishedAt: later(3) })), ['Created=True:TrialCreated', 'Killed=True:TrialKilled'])
    const failed = trialConditions(trial({ state: 'Failed', startedAt: later(2), finishedAt: later(5), message: 'Job reason: Error. exit 3' })).at(-1)!
    assert.equal(failed.message, 'Job reason: Error. exit 3')
    assert.equal(failed.lastTransitionTime, '2026-03-01T10:00:05Z')
    const succeeded = trialConditions(trial({ state: 'Succeeded', startedAt: later(2), finishedAt: later(5), reason: 'TrialSucceeded', message: 'trial succeeded' })).at(-1)!
    assert.equal(succeeded.message, 'Trial has succeeded')
    const early = trialConditions(trial({ state: 'EarlyStopped', startedAt: later(2), finishedAt: later(4) })).at(-1)!
    assert.deepEqual([early.type, early.reason, early.message], ['EarlyStopped', 'TrialEarlyStopped', 'Trial is early stopped'])
  })

  test('a trial lists its assignments in the spec\'s parameter order, values as Katib prints them', () => {
    const object = toTrialObject(experiment(), trial({ params: { y: 0.1 + 0.2, x: 3 } }), { latestId: 4, latestAt: later(9), specChanges: 0 })
    assert.deepEqual(object.spec.parameterAssignments, [{ name: 'x', value: '3' }, { name: 'y', value: '0.3' }])
    assert.equal(object.metadata.resourceVersion, '4')
    assert.equal(object.status.lastReconcileTime, '2026-03-01T10:00:09Z')
    assert.equal(object.status.startTime, '2026-03-01T10:00:01Z')
    assert.equal(object.status.completionTime, undefined)
  })

  test('a suggestion of a completed experiment: Succeeded, unless LongRunning keeps it running', () => {
    const version = { latestId: 9, latestAt: later(20), specChanges: 0 }
    const completed = { state: 'Succeeded' as const, startedAt: later(1), completedAt: later(20) }
    const never = toSuggestionObject(experiment(completed), [], version)
    assert.deepEqual(never.status.conditions.map((c) => `${c.type}=${c.status}`), ['Created=True', 'DeploymentReady=True', 'Running=False', 'Succeeded=True'])
    assert.equal(never.status.completionTime, '2026-03-01T10:00:20Z')
    const long = toSuggestionObject(experiment(completed, 'LongRunning'), [], version)
    assert.deepEqual(long.status.conditions.map((c) => `${c.type}=${c.status}`), ['Created=True', 'DeploymentReady=True', 'Running=True'])
    assert.equal(long.status.completionTime, undefined)
    assert.equal(long.spec.resumePolicy, 'LongRunning')
  })

  test('a suggestion\'s uid is UUID-shaped, stable and not its experiment\'s', () => {
    const uid = suggestionUid('e-1')
    assert.match(uid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(suggestionUid('e-1'), uid)
    assert.notEqual(suggestionUid('e-2'), uid)
  })
})
