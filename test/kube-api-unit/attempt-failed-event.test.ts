import { test } from 'node:test'
import assert from 'node:assert/strict'
import { eventObject } from '../../api/kube/core/event-object.ts'
import type { FeedEvent } from '../../db/store.ts'

test('a failed attempt of a retried trial is a Warning Event on its Trial, with the attempt, the exit code and the back-off', () => {
  const event = eventObject({
    id: 7, experimentId: 'exp-uid', trialId: 'trial-uid', at: new Date('2026-03-01T10:00:00Z'), experimentName: 'mnist', trialName: 'mnist-abc',
    type: 'trial:attempt-failed',
    payload: { attempt: 2, attempts: 7, reason: 'Error', exitCode: 1, message: 'trial process exited with code 1\nCUDA error', retryInMs: 2000 },
  } as FeedEvent, 'default')!
  assert.equal(event.involvedObject.kind, 'Trial')
  assert.deepEqual([event.reason, event.type], ['TrialAttemptFailed', 'Warning'])
  assert.equal(event.message, 'Attempt 2 of 7 failed (Error, exit code 1); the trial runs again in 2000 ms')
})
