import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkResource } from '../../controller/kubernetes/operator/check-resource.ts'
import { enqueuedTrials, toSearchSpace, warmStartSource } from '../../core/spec/index.ts'
import { jobExperiment } from '../helpers/job-experiment.ts'

/** An Experiment resource as the API server returns it, with Tunewell's extension annotations. */
function served(annotations: Record<string, string>) {
  const experiment = jobExperiment({ name: 'exp', namespace: 'team-a', maxTrials: 3, parallel: 1, image: 'node:20', command: ['node', 'x.js'] })
  return { ...experiment, metadata: { name: 'exp', namespace: 'team-a', uid: 'u-1', resourceVersion: '7', generation: 1, annotations } }
}

const ref = { namespace: 'team-a', name: 'exp', uid: 'u-1' }

test('operator mode carries the tunewell.dev/* annotations into the stored experiment, where the suggestion service and the warm start read them', () => {
  const checked = checkResource(served({
    'tunewell.dev/enqueue-trials': '[{"lr": 0.05}]',
    'tunewell.dev/warm-start-from': 'earlier-run',
    'kubectl.kubernetes.io/last-applied-configuration': '{}',
  }), ref, () => [])
  assert.ok(checked.experiment, JSON.stringify(checked.problems))
  assert.deepEqual(enqueuedTrials(checked.experiment, toSearchSpace(checked.experiment)).params, [{ lr: 0.05 }])
  assert.equal(warmStartSource(checked.experiment), 'earlier-run')
})

test('a queued value outside the space, or a warm start from itself, leaves the resource not run, the problem at its path', () => {
  const queued = checkResource(served({ 'tunewell.dev/enqueue-trials': '[{"lr": 7}]' }), ref, () => [])
  assert.match(queued.problems?.[0] ?? '', /^\/metadata\/annotations\/tunewell\.dev~1enqueue-trials\/0\/lr: 7 is outside lr's range/)
  const itself = checkResource(served({ 'tunewell.dev/warm-start-from': 'exp' }), ref, () => [])
  assert.match(itself.problems?.[0] ?? '', /^\/metadata\/annotations\/tunewell\.dev~1warm-start-from: experiment "exp" cannot warm-start from itself/)
})
