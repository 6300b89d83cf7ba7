import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { eventTable, namespaceTable } from '../../api/kube/core/core-table.ts'
import { eventField, eventIdOf, eventName, eventObject, stableUid } from '../../api/kube/core/event-object.ts'
import { namespaceObjects } from '../../api/kube/core/namespace-object.ts'
import { decodeContinue, encodeContinue, listLimit } from '../../api/kube/list-chunk.ts'
import { KubeError } from '../../api/kube/kube-status.ts'
import type { ExperimentRecord, FeedEvent } from '../../db/store.ts'

const at = new Date('2026-03-01T10:00:00.250Z')

function feed(event: Partial<FeedEvent> & Pick<FeedEvent, 'type' | 'payload'>): FeedEvent {
  return { id: 42, experimentId: 'exp-uid', trialId: null, at, experimentName: 'mnist', trialName: null, ...event } as FeedEvent
}

const trialEvent = (payload: Record<string, unknown>, type = 'trial:state-changed') =>
  feed({ type, payload, trialId: 'trial-uid', trialName: 'mnist-abc12345' } as Partial<FeedEvent> & Pick<FeedEvent, 'type' | 'payload'>)

describe('core/v1 Event objects from our events', () => {
  test('an experiment event is on the Experiment: Katib\'s reason, the server\'s fields, the event id as resourceVersion', () => {
    const event = eventObject(feed({ type: 'experiment:created', payload: { name: 'mnist' } }), 'team-a')!
    assert.deepEqual(event.involvedObject, { apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', namespace: 'team-a', name: 'mnist', uid: 'exp-uid', resourceVersion: '42' })
    assert.deepEqual([event.reason, event.message, event.type], ['ExperimentCreated', 'Experiment is created', 'Normal'])
    assert.deepEqual(event.metadata, { name: eventName('mnist', 42), namespace: 'team-a', uid: stableUid('event:42'), resourceVersion: '42', creationTimestamp: '2026-03-01T10:00:00Z' })
    assert.equal(event.firstTimestamp, '2026-03-01T10:00:00Z')
    assert.equal(event.lastTimestamp, event.firstTimestamp)
    assert.equal(event.count, 1)
    assert.equal(event.eventTime, null)
    assert.deepEqual(event.source, { component: 'tunewell' })
  })

  test('completions carry Katib\'s reason and message; a failure is a Warning', () => {
    const cases = [
      [{ state: 'Succeeded', reason: 'ExperimentGoalReached' }, 'ExperimentGoalReached', 'Experiment has succeeded because Objective goal has reached', 'Normal'],
      [{ state: 'Succeeded', reason: 'ExperimentMaxTrialsReached' }, 'ExperimentMaxTrialsReached', 'Experiment has succeeded because max trial count has reached', 'Normal'],
      [{ state: 'Succeeded', reason: 'ExperimentSuggestionEndReached' }, 'ExperimentSuggestionEndReached', 'Experiment has succeeded because suggestion service has reached the end', 'Normal'],
      [{ state: 'Failed', reason: 'ExperimentFailed' }, 'ExperimentFailed', 'Experiment has failed because max failed count has reached', 'Warning'],
      [{ state: 'Running' }, 'ExperimentRunning', 'Experiment is running', 'Normal'],
      [{ state: 'Restarting' }, 'ExperimentRestarting', 'Experiment is restarting', 'Normal'],
    ] as const
    for (const [payload, reason, message, type] of cases) {
      const event = eventObject(feed({ type: 'experiment:state-changed', payload }), 'default')!
      assert.deepEqual([event.reason, event.message, event.type], [reason, message, type], JSON.stringify(payload))
    }
  })

  test('a new best is the experiment\'s news even though it names a trial', () => {
    const event = eventObject(feed({ type: 'experiment:new-best', payload: { objective: 0.25 }, trialId: 'trial-uid', trialName: 'mnist-abc12345' }), 'default')!
    assert.equal(event.involvedObject.kind, 'Experiment')
    assert.equal(event.reason, 'NewOptimalTrial')
    assert.match(event.message, /mnist-abc12345.*0\.25/)
  })

  test('trial events are on the Trial with its uid; the trial controller\'s reasons', () => {
    const running = eventObject(trialEvent({ state: 'Running' }), 'default')!
    assert.deepEqual([running.involvedObject.kind, running.involvedObject.name, running.involvedObject.uid], ['Trial', 'mnist-abc12345', 'trial-uid'])
    assert.equal(running.metadata.name, eventName('mnist-abc12345', 42))
    assert.deepEqual([running.reason, running.message], ['TrialRunning', 'Trial is running'])
    const failed = eventObject(trialEvent({ state: 'Failed', reason: 'TrialFailed', message: 'exit code 3' }), 'default')!
    assert.deepEqual([failed.reason, failed.type], ['TrialFailed', 'Warning'])
    assert.match(failed.message, /exit code 3/)
    const unavailable = eventObject(trialEvent({ state: 'MetricsUnavailable', reason: 'MetricsUnavailable' }), 'default')!
    assert.deepEqual([unavailable.reason, unavailable.message, unavailable.type], ['MetricsUnavailable', 'Metrics are not available', 'Warning'])
    const created = eventObject(trialEvent({ name: 'mnist-abc12345', params: {} }, 'trial:created'), 'default')!
    assert.deepEqual([created.reason, created.message], ['TrialCreated', 'Trial is created'])
    // A trial event without its trial (gone) has no object to be on.
    assert.equal(eventObject(feed({ type: 'trial:restarted', payload: { restarts: 1 } }), 'default'), undefined)
  })

  test('a long message is cut to the 1 KiB a server accepts', () => {
    const event = eventObject(trialEvent({ state: 'Failed', message: 'x'.repeat(5000) }), 'default')!
    assert.equal(event.message.length, 1024)
    assert.ok(event.message.endsWith('...'))
  })

  test('names give their event id back; selectable fields read the object', () => {
    assert.equal(eventIdOf(eventName('mnist-abc12345', 123456)), 123456)
    assert.equal(eventIdOf('mnist.not-hex'), undefined)
    assert.equal(eventIdOf('mnist'), undefined)
    const event = eventObject(trialEvent({ state: 'Running' }), 'team-a')!
    assert.equal(eventField(event, 'involvedObject.kind'), 'Trial')
    assert.equal(eventField(event, 'involvedObject.namespace'), 'team-a')
    assert.equal(eventField(event, 'involvedObject.fieldPath'), '')
    assert.equal(eventField(event, 'type'), 'Normal')
    assert.equal(eventField(event, 'source'), 'tunewell')
    assert.equal(eventField(event, 'spec.nodeName'), undefined)
  })

  test('uids are UUID-shaped, stable, and differ by key', () => {
    assert.match(stableUid('event:1'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(stableUid('event:1'), stableUid('event:1'))
    assert.notEqual(stableUid('event:1'), stableUid('event:2'))
  })

  test('the event Table has the server\'s cells: kind/name lowercased, every column filled', () => {
    const event = eventObject(feed({ type: 'experiment:created', payload: { name: 'mnist' } }), 'default')!
    const table = eventTable([event], { resourceVersion: '42' }, 'None', at.getTime() + 90_000)
    assert.deepEqual(table.rows[0]!.cells, ['90s', 'Normal', 'ExperimentCreated', 'experiment/mnist', '', 'tunewell', 'Experiment is created', '90s', 1, event.metadata.name])
    assert.equal(table.rows[0]!.object, undefined)
    assert.equal(table.columnDefinitions.length, table.rows[0]!.cells.length)
  })
})

describe('core/v1 Namespaces', () => {
  const record = (namespace: string | undefined, createdAt: Date) => ({ spec: { metadata: { name: 'x', ...(namespace ? { namespace } : {}) } }, createdAt }) as unknown as Pick<ExperimentRecord, 'spec' | 'createdAt'>

  test('default and every namespace in use, by name, each as old as its oldest experiment', () => {
    const list = namespaceObjects([
      record('team-b', new Date('2026-01-02T00:00:00Z')),
      record('team-a', new Date('2026-01-05T00:00:00Z')),
      record('team-b', new Date('2026-01-01T00:00:00Z')),
      record(undefined, new Date('2020-01-01T00:00:00Z')),
    ], '7')
    assert.deepEqual(list.map((ns) => ns.metadata.name), ['default', 'team-a', 'team-b'])
    assert.equal(list[2]!.metadata.creationTimestamp, '2026-01-01T00:00:00Z')
    assert.equal(list[0]!.metadata.creationTimestamp, '2020-01-01T00:00:00Z')
    assert.deepEqual(list[1]!.status, { phase: 'Active' })
    assert.equal(list[1]!.metadata.resourceVersion, '7')
    const table = namespaceTable(list, { resourceVersion: '7' }, 'Metadata', Date.parse('2026-01-05T00:02:00Z'))
    assert.deepEqual(table.rows[1]!.cells, ['team-a', 'Active', '2m'])
  })

  test('with no experiment, default alone', () => {
    assert.deepEqual(namespaceObjects([], '0').map((ns) => ns.metadata.name), ['default'])
  })
})

describe('list chunks', () => {
  test('a continue token round-trips; anything else is a 400', () => {
    const token = encodeContinue({ resourceVersion: 90, after: 12, key: 'mnist' })
    assert.deepEqual(decodeContinue(token), { resourceVersion: 90, after: 12, key: 'mnist' })
    for (const bad of ['', 'abc', Buffer.from('{"v":2}').toString('base64url'), Buffer.from('{"v":1,"rv":"9","a":1}').toString('base64url')]) {
      assert.throws(() => decodeContinue(bad), (error: unknown) => error instanceof KubeError && error.code === 400 && /invalid continue token/.test(error.message), bad)
    }
  })

  test('limit: positive whole numbers limit, absent or non-positive do not, text is a 400', () => {
    assert.equal(listLimit('500'), 500)
    assert.equal(listLimit(undefined), Number.POSITIVE_INFINITY)
    assert.equal(listLimit('0'), Number.POSITIVE_INFINITY)
    assert.equal(listLimit('-3'), Number.POSITIVE_INFINITY)
    assert.throws(() => listLimit('ten'), (error: unknown) => error instanceof KubeError && error.code === 400)
  })
})
