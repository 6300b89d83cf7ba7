import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkResource } from '../../controller/kubernetes/operator/check-resource.ts'
import { operatorAnnotationIssues, operatorOwner, RESOURCE_UID_ANNOTATION, resourceRefOf } from '../../controller/kubernetes/operator/operator-ownership.ts'
import { parseWatchNamespaces } from '../../controller/kubernetes/operator/watch-namespaces.ts'
import { jobExperiment } from '../helpers/job-experiment.ts'

/** An Experiment as the API server returns it: server-set metadata, kubectl's annotation, a status. */
function served(spec: Record<string, unknown> = {}) {
  const experiment = jobExperiment({ name: 'exp', namespace: 'team-a', maxTrials: 3, parallel: 1, image: 'node:20', command: ['node', 'x.js'] })
  return {
    ...experiment,
    metadata: {
      name: 'exp', namespace: 'team-a', uid: 'u-1', resourceVersion: '42', generation: 2, creationTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{ manager: 'kubectl' }],
      labels: { team: 'a' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}', note: 'kept' },
    },
    spec: { ...experiment.spec, ...spec },
    status: { conditions: [{ type: 'Created', status: 'True' }] },
  }
}

const ref = { namespace: 'team-a', name: 'exp', uid: 'u-1' }

test('a valid resource becomes the experiment to store: the spec checked with defaults, only the metadata that is the user\'s, and the operator\'s mark', () => {
  const checked = checkResource(served(), ref, () => [])
  assert.ok(checked.experiment, JSON.stringify(checked.problems))
  assert.deepEqual(checked.experiment.metadata, {
    name: 'exp', namespace: 'team-a', labels: { team: 'a' }, annotations: { note: 'kept', [RESOURCE_UID_ANNOTATION]: 'u-1' },
  })
  assert.equal('status' in checked.experiment, false)
  assert.deepEqual(resourceRefOf(checked.experiment), ref)
  assert.deepEqual(operatorOwner(checked.experiment), { apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', name: 'exp', uid: 'u-1' })
  // What the API refuses to take from anyone else.
  assert.match(operatorAnnotationIssues(checked.experiment)[0]!.message, /created from the Experiment resource team-a\/exp/)
})

test('an invalid resource: every problem as path: message, the schema\'s and the server\'s admission\'s', () => {
  const invalid = checkResource(served({ parallelTrialCount: 0, maxTrialCount: -1 }), ref, () => [])
  assert.deepEqual(invalid.problems?.map((p) => p.split(':')[0]).sort(), ['/spec/maxTrialCount', '/spec/parallelTrialCount'])
  const refused = checkResource(served(), ref, () => [{ path: '/spec/parallelTrialCount', message: 'above the limit' }])
  assert.deepEqual(refused.problems, ['/spec/parallelTrialCount: above the limit'])
})

test('an experiment without the mark is nobody\'s resource: no owner, nothing refused', () => {
  const plain = jobExperiment({ name: 'api', maxTrials: 1, parallel: 1, image: 'node:20', command: ['node'] })
  assert.equal(resourceRefOf(plain), undefined)
  assert.equal(operatorOwner(plain), undefined)
  assert.deepEqual(operatorAnnotationIssues(plain), [])
})

test('--namespaces: DNS labels separated by commas, each once; empty means every namespace', () => {
  assert.deepEqual(parseWatchNamespaces('team-a, team-b,team-a', '--namespaces'), ['team-a', 'team-b'])
  assert.equal(parseWatchNamespaces(undefined, '--namespaces'), undefined)
  assert.equal(parseWatchNamespaces(' ', '--namespaces'), undefined)
  assert.match(String(parseWatchNamespaces('a,,b', '--namespaces')), /got "" in "a,,b"/)
  assert.match(String(parseWatchNamespaces('-a', 'TUNEWELL_WATCH_NAMESPACES')), /^TUNEWELL_WATCH_NAMESPACES must be namespace names/)
  assert.match(String(parseWatchNamespaces('x'.repeat(64), '--namespaces')), /must be namespace names/)
})
