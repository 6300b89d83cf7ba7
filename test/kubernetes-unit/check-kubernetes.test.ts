import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkKubernetesRunnable } from '../../controller/kubernetes/check-kubernetes.ts'
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
