import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiException } from '@kubernetes/client-node'
import { isPassing, retrying } from '../../controller/kubernetes/retrying.ts'
import { UnknownKindError } from '../../controller/kubernetes/workload-api.ts'

const answered = (code: number) => new ApiException(code, 'failed', { kind: 'Status', code, message: `code ${code}` }, {})

test('5xx, 429 and no answer at all are passing; refusals and unserved kinds are final', () => {
  for (const code of [500, 503, 429]) assert.equal(isPassing(answered(code)), true, String(code))
  assert.equal(isPassing(new Error('socket hang up')), true)
  for (const code of [400, 401, 403, 404, 409, 410, 422]) assert.equal(isPassing(answered(code)), false, String(code))
  assert.equal(isPassing(new UnknownKindError('no Workflow')), false)
  assert.equal(isPassing('not an error'), false)
})

test('a call is tried again after passing failures, and not after a refusal', async () => {
  let calls = 0
  assert.equal(await retrying(async () => (++calls < 3 ? Promise.reject(answered(503)) : 'created'), 1), 'created')
  assert.equal(calls, 3)
  calls = 0
  await assert.rejects(retrying(async () => {
    calls++
    throw answered(403)
  }, 1), (e: unknown) => e instanceof ApiException && e.code === 403)
  assert.equal(calls, 1)
  calls = 0
  await assert.rejects(retrying(async () => {
    calls++
    throw answered(500)
  }, 1))
  assert.equal(calls, 5, 'gives up after five tries')
})
