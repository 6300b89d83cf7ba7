import { test } from 'node:test'
import assert from 'node:assert/strict'
import { objectMetaCauses } from '../../api/kube/validate-object-meta.ts'

test('labels and annotations as a server checks them: qualified keys, short label values of its alphabet', () => {
  assert.deepEqual(objectMetaCauses({ labels: { 'katib.kubeflow.org/experiment': 'x', app: '', 'a.b_c-d': 'E.1' }, annotations: { 'example.com/note': 'any text at all!' } }), [])
  const causes = objectMetaCauses({ labels: { 'bad key': 'ok', good: 'bad value!', 'Upper.Case/x': 'v', long: 'v'.repeat(64) }, annotations: { '/x': 'y' } })
  assert.deepEqual(causes.map((c) => [c.field, c.message.slice(0, c.message.indexOf(':', 15))]), [
    ['metadata.labels', 'Invalid value: "bad key"'],
    ['metadata.labels', 'Invalid value: "bad value!"'],
    ['metadata.labels', 'Invalid value: "Upper.Case/x"'],
    ['metadata.labels', `Invalid value: "${'v'.repeat(64)}"`],
    ['metadata.annotations', 'Invalid value: "/x"'],
  ])
  assert.match(causes[1]!.message, /a valid label must be an empty string/)
  assert.match(causes[2]!.message, /prefix part a lowercase RFC 1123 subdomain/)
  assert.match(causes[3]!.message, /must be no more than 63 characters/)
  assert.deepEqual(objectMetaCauses({ annotations: { big: 'x'.repeat(256 * 1024) } }).map((c) => c.reason), ['FieldValueTooLong'])
})
