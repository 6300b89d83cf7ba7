import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkKubernetesRunnable, sidecarVersionIssues } from '../../controller/kubernetes/check-kubernetes.ts'
import type { Experiment } from '../../core/spec/index.ts'
import { example, exampleFiles, experimentOf, JOB } from '../core/spec/spec-test-kit.ts'

test('Katib\'s examples with a StdOut, File, TensorFlowEvent or Push collector and no NAS can run on a cluster; the others are told why not', () => {
  const refused: Record<string, string[]> = {}
  for (const file of exampleFiles()) {
    const issues = checkKubernetesRunnable(example(file))
    if (issues.length > 0) refused[file] = issues.map((i) => i.path)
  }
  for (const [file, paths] of Object.entries(refused)) {
    assert.ok(paths.every((p) => p === '/spec/metricsCollectorSpec/collector/kind' || p === '/spec/nasConfig'), `${file}: ${paths}`)
  }
  assert.deepEqual(checkKubernetesRunnable(example('hp-tuning/random.yaml')), [])
  // File and TensorFlowEvent run as the collector sidecar; a Custom collector does not run here.
  for (const file of ['metrics-collector/file-metrics-collector.yaml', 'metrics-collector/file-metrics-collector-with-json-format.yaml', 'kubeflow-training-operator/tfjob-mnist-with-summaries.yaml']) {
    assert.equal(refused[file], undefined, file)
  }
  assert.ok(refused['metrics-collector/custom-metrics-collector.yaml']?.includes('/spec/metricsCollectorSpec/collector/kind'))
})

test('the local command form and a missing trialTemplate are refused with what to do instead', () => {
  const job = experimentOf(JOB)
  const { trialTemplate: _, ...spec } = job.spec
  assert.match(checkKubernetesRunnable({ ...job, spec } as Experiment)[0]!.message, /nothing to run on the cluster/)
  const local: Experiment = { ...job, spec: { ...job.spec, trialTemplate: { command: ['python3', 'train.py'] } } }
  assert.match(checkKubernetesRunnable(local)[0]!.message, /give a trialSpec/)
})

test('File and TensorFlowEvent need native sidecars: a cluster older than 1.29 is refused with the reason; newer ones, and other collectors, are not', () => {
  const file = example('metrics-collector/file-metrics-collector.yaml')
  const tf = example('kubeflow-training-operator/tfjob-mnist-with-summaries.yaml')
  for (const experiment of [file, tf]) {
    const [issue, ...more] = sidecarVersionIssues(experiment, { major: '1', minor: '28' })
    assert.equal(more.length, 0)
    assert.equal(issue!.path, '/spec/metricsCollectorSpec/collector/kind')
    assert.match(issue!.message, /runs as a native sidecar, which needs Kubernetes 1\.29 or later; this cluster is 1\.28/)
    // Managed clusters say "29+"; a server that does not say is given the benefit of the doubt.
    for (const version of [{ major: '1', minor: '29' }, { major: '1', minor: '29+' }, { major: '1', minor: '33' }, { major: '2', minor: '0' }, {}, undefined]) {
      assert.deepEqual(sidecarVersionIssues(experiment, version), [], JSON.stringify(version))
    }
  }
  assert.deepEqual(sidecarVersionIssues(example('hp-tuning/random.yaml'), { major: '1', minor: '20' }), [])
})
