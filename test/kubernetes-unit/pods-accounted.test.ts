import assert from 'node:assert/strict'
import { test } from 'node:test'
import { podsAccounted } from '../../controller/kubernetes/pods-accounted.ts'

const job = (status: Record<string, number>) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status })
const pod = (phase: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${phase}` }, status: { phase } })

test('a finished Job whose every counted pod the watch has shown ended needs no list of its pods', () => {
  assert.equal(podsAccounted(job({ succeeded: 1 }), [pod('Succeeded')]), true)
  assert.equal(podsAccounted(job({ succeeded: 1, failed: 2 }), [pod('Failed'), pod('Failed'), pod('Succeeded')]), true)
})

test('pods not yet seen, or not yet ended, or another kind: the pods are listed', () => {
  assert.equal(podsAccounted(job({ succeeded: 1 }), []), false, 'the Job ended before the pod watch showed its pod')
  assert.equal(podsAccounted(job({ succeeded: 1, failed: 1 }), [pod('Succeeded')]), false, 'one of two not seen')
  assert.equal(podsAccounted(job({ succeeded: 1 }), [pod('Running')]), false, 'seen, but its end not yet')
  assert.equal(podsAccounted(job({}), [pod('Succeeded')]), false, 'no counts in the status')
  assert.equal(podsAccounted({ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', status: { succeeded: 1 } }, [pod('Succeeded')]), false)
  assert.equal(podsAccounted(undefined, [pod('Succeeded')]), false)
})
