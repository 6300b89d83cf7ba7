import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkKubernetesRunnable, sidecarVersionIssues } from '../../controller/kubernetes/check-kubernetes.ts'
import type { Experiment } from '../../core/spec/index.ts'
import { example, exampleFiles, experimentOf, JOB } from '../core/spec/spec-test-kit.ts'

test('Katib\'s examples with any collector and no NAS can run on a cluster; the others are told why not', () => {
  const refused: Record<string, string[]> = {}
  for (const file of exampleFiles()) {
    const issues = checkKubernetesRunnable(example(file))
    if (issues.length > 0) refused[file] = issues.map((i) => i.path)
  }
  for (const [file, paths] of Object.entries(refused)) {
    assert.ok(paths.every((p) => p === '/spec/metricsCollectorSpec/collector/kind' || p === '/spec/nasConfig'), `${file}: ${paths}`)
  }
  assert.deepEqual(checkKubernetesRunnable(example('hp-tuning/random.yaml')), [])
  // File and TensorFlowEvent run as the collector sidecar, a Custom collector's container as a sidecar of its own.
  for (const file of ['metrics-collector/file-metrics-collector.yaml', 'metrics-collector/file-metrics-collector-with-json-format.yaml', 'kubeflow-training-operator/tfjob-mnist-with-summaries.yaml', 'metrics-collector/custom-metrics-collector.yaml']) {
    assert.equal(refused[file], undefined, file)
  }
})

test('a Custom collector without an image, or named as the primary container, and a bad scrape interval are refused where they are written', () => {
  const custom = example('metrics-collector/custom-metrics-collector.yaml')
  const withCollector = (collector: Record<string, unknown>): Experiment =>
    ({ ...custom, spec: { ...custom.spec, metricsCollectorSpec: { ...custom.spec.metricsCollectorSpec, collector: { kind: 'Custom', customCollector: collector } } } }) as Experiment
  const noImage = checkKubernetesRunnable(withCollector({ name: 'c', command: ['collect'] }))
  assert.deepEqual(noImage.map((i) => i.path), ['/spec/metricsCollectorSpec/collector/customCollector'])
  assert.match(noImage[0]!.message, /customCollector has no image; on a cluster the Custom collector is a container in the trial's pod/)
  const clash = checkKubernetesRunnable(withCollector({ name: 'training-container', image: 'registry.example/c:1' }))
  assert.match(clash[0]!.message, /named "training-container", as the trial's primary container is; give it a name of its own/)
  // Without a name it is Katib's example's container name; that runs.
  assert.deepEqual(checkKubernetesRunnable(withCollector({ image: 'registry.example/c:1' })), [])

  const job = experimentOf(JOB)
  const prometheus = {
    ...job,
    metadata: { ...job.metadata, annotations: { 'tunewell.dev/scrape-interval': '5 minutes' } },
    spec: { ...job.spec, metricsCollectorSpec: { collector: { kind: 'PrometheusMetric' }, source: { httpGet: { port: 8080, path: '/metrics' } } } },
  } as Experiment
  const [interval, ...more] = checkKubernetesRunnable(prometheus)
  assert.equal(more.length, 0)
  assert.equal(interval!.path, '/metadata/annotations/tunewell.dev~1scrape-interval')
  assert.match(interval!.message, /"5 minutes" is no scrape interval/)
  assert.deepEqual(checkKubernetesRunnable({ ...prometheus, metadata: job.metadata }), [])
})

test('the local command form and a missing trialTemplate are refused with what to do instead', () => {
  const job = experimentOf(JOB)
  const { trialTemplate: _, ...spec } = job.spec
  assert.match(checkKubernetesRunnable({ ...job, spec } as Experiment)[0]!.message, /nothing to run on the cluster/)
  const local: Experiment = { ...job, spec: { ...job.spec, trialTemplate: { command: ['python3', 'train.py'] } } }
  assert.match(checkKubernetesRunnable(local)[0]!.message, /give a trialSpec/)
})

test('File, TensorFlowEvent, PrometheusMetric and Custom need native sidecars: a cluster older than 1.29 is refused with the reason; newer ones, and other collectors, are not', () => {
  const file = example('metrics-collector/file-metrics-collector.yaml')
  const tf = example('kubeflow-training-operator/tfjob-mnist-with-summaries.yaml')
  const custom = example('metrics-collector/custom-metrics-collector.yaml')
  const job = experimentOf(JOB)
  const prometheus = { ...job, spec: { ...job.spec, metricsCollectorSpec: { collector: { kind: 'PrometheusMetric' }, source: { httpGet: { port: 8080, path: '/metrics' } } } } } as Experiment
  for (const experiment of [file, tf, custom, prometheus]) {
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
