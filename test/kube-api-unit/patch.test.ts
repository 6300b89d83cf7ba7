import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { applyPatch, jsonPatch, mergePatch } from '../../api/kube/patch.ts'
import { KubeError } from '../../api/kube/kube-status.ts'

const experiment = () => ({
  metadata: { name: 'x', labels: { team: 'a' } },
  spec: { maxTrialCount: 10, parameters: [{ name: 'lr' }, { name: 'momentum' }] },
})

function statusOf(work: () => unknown): { code: number; reason: string | undefined; message: string | undefined } {
  try {
    work()
  } catch (error) {
    assert.ok(error instanceof KubeError, `expected a KubeError, got ${String(error)}`)
    return { code: error.code, reason: error.status.reason, message: error.status.message }
  }
  assert.fail('expected the patch to be refused')
}

describe('merge patch (RFC 7386)', () => {
  test('objects merge, null deletes, arrays and scalars replace, the target is left unchanged', () => {
    const target = experiment()
    const patched = mergePatch(target, { metadata: { labels: { team: null, owner: 'b' } }, spec: { maxTrialCount: 20, parameters: [{ name: 'x' }] } })
    assert.deepEqual(patched, { metadata: { name: 'x', labels: { owner: 'b' } }, spec: { maxTrialCount: 20, parameters: [{ name: 'x' }] } })
    assert.deepEqual(target, experiment())
  })
})

describe('JSON patch (RFC 6902)', () => {
  test('add, replace, remove, move, copy and a passing test apply in order', () => {
    const patched = jsonPatch(experiment(), [
      { op: 'replace', path: '/spec/maxTrialCount', value: 5 },
      { op: 'add', path: '/spec/parameters/-', value: { name: 'depth' } },
      { op: 'remove', path: '/spec/parameters/0' },
      { op: 'add', path: '/metadata/labels/katib.kubeflow.org~1owner', value: 'me' },
      { op: 'copy', from: '/metadata/name', path: '/metadata/generateName' },
      { op: 'move', from: '/metadata/labels/team', path: '/metadata/labels/group' },
      { op: 'test', path: '/spec/maxTrialCount', value: 5 },
    ])
    assert.deepEqual(patched, {
      metadata: { name: 'x', generateName: 'x', labels: { 'katib.kubeflow.org/owner': 'me', group: 'a' } },
      spec: { maxTrialCount: 5, parameters: [{ name: 'momentum' }, { name: 'depth' }] },
    })
  })

  test('a failed test, a missing path or key is 422 Invalid; a body that is no list or an unknown op is 400', () => {
    assert.deepEqual(statusOf(() => jsonPatch(experiment(), [{ op: 'test', path: '/spec/maxTrialCount', value: 11 }])),
      { code: 422, reason: 'Invalid', message: 'testing value /spec/maxTrialCount failed' })
    assert.equal(statusOf(() => jsonPatch(experiment(), [{ op: 'replace', path: '/spec/goal', value: 1 }])).code, 422)
    assert.equal(statusOf(() => jsonPatch(experiment(), [{ op: 'remove', path: '/spec/parameters/7' }])).code, 422)
    assert.equal(statusOf(() => jsonPatch(experiment(), [{ op: 'add', path: '/status/x/y', value: 1 }])).code, 422)
    assert.equal(statusOf(() => jsonPatch(experiment(), { op: 'add' })).code, 400)
    assert.equal(statusOf(() => jsonPatch(experiment(), [{ op: 'frobnicate', path: '/spec' }])).reason, 'BadRequest')
    assert.equal(statusOf(() => jsonPatch(experiment(), [{ op: 'add', path: 'spec', value: 1 }])).code, 400)
  })
})

describe('applyPatch by media type', () => {
  test('merge and JSON patches apply; a strategic merge patch is 415 naming the types a custom resource takes', () => {
    assert.equal((applyPatch('application/merge-patch+json', experiment(), { spec: { maxTrialCount: 3 } }) as ReturnType<typeof experiment>).spec.maxTrialCount, 3)
    assert.equal((applyPatch('application/json-patch+json', experiment(), [{ op: 'replace', path: '/spec/maxTrialCount', value: 4 }]) as ReturnType<typeof experiment>).spec.maxTrialCount, 4)
    assert.deepEqual(statusOf(() => applyPatch('application/strategic-merge-patch+json', experiment(), { spec: {} })), {
      code: 415,
      reason: 'UnsupportedMediaType',
      message: 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    })
  })
})
