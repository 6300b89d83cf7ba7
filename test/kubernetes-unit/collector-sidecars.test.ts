import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Job } from 'kubernetes-models/batch/v1/Job'
import type { Experiment } from '../../core/spec/index.ts'
import { renderWorkload } from '../../controller/kubernetes/render-workload.ts'
import { LaunchError } from '../../controller/trial-executor.ts'
import { example, experimentOf, JOB } from '../core/spec/spec-test-kit.ts'

/**
 * The pod mutation for the PrometheusMetric and Custom collectors on a cluster: Tunewell's
 * scraping sidecar, and the user's Custom collector container as a native sidecar with the
 * metrics volume, as Katib's pod webhook places it.
 */

type Json = Record<string, any>

const ENV = { TUNEWELL_REPORT_URL: 'http://tunewell.example:8081', TUNEWELL_REPORT_TOKEN: 'secret-token' }
const trial = { name: 'demo-abcd1234', params: { lr: 0.01, layers: 2, optimizer: 'sgd' } }

function withCollector(experiment: Experiment, metricsCollectorSpec: Json, annotations?: Record<string, string>): Experiment {
  return {
    ...experiment,
    metadata: { ...experiment.metadata, ...(annotations ? { annotations } : {}) },
    spec: { ...experiment.spec, metricsCollectorSpec },
  } as Experiment
}

function podOf(manifest: Json): Json {
  new Job(manifest as ConstructorParameters<typeof Job>[0]).validate()
  return manifest.spec.template.spec
}

test('PrometheusMetric: a native sidecar scrapes the trial on the pod\'s loopback at the spec\'s port, path and scheme, every scrape interval, and pushes', () => {
  const experiment = withCollector(experimentOf(JOB), { collector: { kind: 'PrometheusMetric' }, source: { httpGet: { port: 9090, path: '/stats', scheme: 'HTTPS' } } }, { 'tunewell.dev/scrape-interval': '2s' })
  const rendered = renderWorkload(experiment, trial, { defaultNamespace: 'd', env: ENV, collectorImage: 'registry.example/tunewell:9' })
  const pod = podOf(rendered.manifest)
  const [sidecar, ...others] = pod.initContainers
  assert.equal(others.length, 0)
  assert.equal(sidecar.name, 'tunewell-collector')
  assert.equal(sidecar.image, 'registry.example/tunewell:9')
  assert.equal(sidecar.restartPolicy, 'Always')
  assert.deepEqual(sidecar.args, [
    'collect', '--scrape-url', 'https://127.0.0.1:9090/stats', '--poll-ms', '2000', '--progress-file', '/var/run/tunewell-collector/scrape-state.json',
    '--metric', 'loss', '--metric', 'accuracy', '--ready-file', '/var/run/tunewell-collector/.tunewell-collector-ready',
  ])
  // Its own emptyDir (ready file, step numbering), not mounted in the trial's container.
  assert.deepEqual(sidecar.volumeMounts, [{ name: 'tunewell-collector-state', mountPath: '/var/run/tunewell-collector' }])
  assert.deepEqual(pod.volumes, [{ name: 'tunewell-collector-state', emptyDir: {} }])
  assert.equal(pod.containers[0].volumeMounts, undefined)
  assert.deepEqual(sidecar.startupProbe.exec.command, ['test', '-e', '/var/run/tunewell-collector/.tunewell-collector-ready'])
  assert.deepEqual(sidecar.env.find((e: Json) => e.name === 'TUNEWELL_REPORT_TOKEN').valueFrom, { secretKeyRef: { name: 'demo-abcd1234-report-token', key: 'token' } })
  assert.ok(rendered.secret)
  assert.equal(rendered.collectorContainerName, undefined, 'its metrics are pushed, not read from a log')
  assert.doesNotMatch(JSON.stringify(rendered.manifest), /secret-token/)

  // Katib's defaults (8080, /metrics, HTTP) and ours (5 s); a host given is scraped there.
  const plain = renderWorkload(withCollector(experimentOf(JOB), { collector: { kind: 'PrometheusMetric' }, source: { httpGet: { port: 8080, path: '/metrics', host: 'localhost' } } }), trial, { defaultNamespace: 'd', env: ENV })
  assert.deepEqual(podOf(plain.manifest).initContainers[0].args.slice(0, 5), ['collect', '--scrape-url', 'http://localhost:8080/metrics', '--poll-ms', '5000'])

  // The sidecar pushes: without a report URL the trial cannot run.
  assert.throws(() => renderWorkload(experiment, trial, { defaultNamespace: 'd' }), (e: unknown) => e instanceof LaunchError && /--report-url/.test(e.message))
})

test('Custom: the user\'s container as a native sidecar beside the primary container, with the metrics folder shared, the trial\'s name, and the push credentials from the Secret', () => {
  const katib = example('metrics-collector/custom-metrics-collector.yaml')
  const rendered = renderWorkload(katib, { name: 'custom-abcd1234', params: { lr: 0.01, momentum: 0.5 } }, { defaultNamespace: 'd', env: ENV })
  const pod = podOf(rendered.manifest)
  const primary = pod.containers.find((c: Json) => c.name === 'training-container')
  const [collector, ...others] = pod.initContainers
  assert.equal(others.length, 0)
  assert.equal(rendered.collectorContainerName, 'custom-metrics-logger-and-collector')
  // As given (image, args, pull policy, its own env), made a native sidecar.
  assert.equal(collector.name, 'custom-metrics-logger-and-collector')
  assert.equal(collector.image, 'ghcr.io/kubeflow/katib/custom-metrics-collector:latest')
  assert.equal(collector.imagePullPolicy, 'Always')
  assert.deepEqual(collector.args, ['-m', 'accuracy', '-s', 'katib-db-manager.kubeflow:6789', '-path', '/katib/mnist.log'])
  assert.equal(collector.restartPolicy, 'Always')
  assert.deepEqual(collector.env[0], { name: 'TrialNamePrefix', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } })
  const env = Object.fromEntries(collector.env.filter((e: Json) => 'value' in e).map((e: Json) => [e.name, e.value]))
  assert.equal(env.KATIB_TRIAL_NAME, 'custom-abcd1234')
  assert.equal(env.TUNEWELL_TRIAL_NAME, 'custom-abcd1234')
  assert.equal(env.TUNEWELL_METRICS_FILE, '/katib/mnist.log')
  assert.equal(env.TUNEWELL_REPORT_URL, ENV.TUNEWELL_REPORT_URL)
  assert.deepEqual(collector.env.find((e: Json) => e.name === 'TUNEWELL_REPORT_TOKEN').valueFrom, { secretKeyRef: { name: 'custom-abcd1234-report-token', key: 'token' } })
  // Katib's volume: the file's folder, in the collector and the primary container; a shared process namespace.
  assert.deepEqual(pod.volumes, [{ name: 'tunewell-metrics', emptyDir: {} }])
  assert.deepEqual(primary.volumeMounts, [{ name: 'tunewell-metrics', mountPath: '/katib' }])
  assert.deepEqual(collector.volumeMounts, [{ name: 'tunewell-metrics', mountPath: '/katib' }])
  assert.equal(pod.shareProcessNamespace, true)
  assert.equal(Object.fromEntries(primary.env.filter((e: Json) => 'value' in e).map((e: Json) => [e.name, e.value])).TUNEWELL_METRICS_FILE, '/katib/mnist.log')
  assert.ok(rendered.secret)
  assert.doesNotMatch(JSON.stringify(rendered.manifest), /secret-token/)

  // A Directory source is shared itself; no source: no volume; no report URL: its log is still read, so it runs, without a token.
  const job = experimentOf(JOB)
  const container = { name: 'my-collector', image: 'registry.example/collector:1', command: ['collect'], env: [{ name: 'TUNEWELL_TRIAL_NAME', value: 'overridden' }] }
  const dir = renderWorkload(withCollector(job, { collector: { kind: 'Custom', customCollector: container }, source: { fileSystemPath: { kind: 'Directory', path: '/logs/run/' } } }), trial, { defaultNamespace: 'd' })
  const dirPod = podOf(dir.manifest)
  assert.deepEqual(dirPod.initContainers[0].volumeMounts, [{ name: 'tunewell-metrics', mountPath: '/logs/run' }])
  assert.deepEqual(dirPod.initContainers[0].env.filter((e: Json) => e.name === 'TUNEWELL_TRIAL_NAME'), [{ name: 'TUNEWELL_TRIAL_NAME', value: trial.name }], 'ours replace the same name')
  assert.equal(dir.secret, undefined)
  assert.doesNotMatch(JSON.stringify(dir.manifest), /TUNEWELL_REPORT_TOKEN/)
  const bare = renderWorkload(withCollector(job, { collector: { kind: 'Custom', customCollector: container } }), trial, { defaultNamespace: 'd', env: ENV })
  const barePod = podOf(bare.manifest)
  assert.equal(barePod.volumes, undefined)
  assert.equal(barePod.initContainers[0].volumeMounts, undefined)
  assert.equal(bare.collectorContainerName, 'my-collector')

  // Katib's collectors report over gRPC: with the address and grpc_proxy a trial gets (katib-grpc), the token read from the Secret after its entry.
  const grpc = renderWorkload(withCollector(job, { collector: { kind: 'Custom', customCollector: container } }), trial, {
    defaultNamespace: 'd',
    env: { ...ENV, grpc_proxy: `http://${trial.name}:${ENV.TUNEWELL_REPORT_TOKEN}@tunewell.tunewell.svc:6789`, TUNEWELL_KATIB_DB_MANAGER_ADDRESS: 'tunewell.tunewell.svc:6789' },
  })
  const grpcEnv = podOf(grpc.manifest).initContainers[0].env as Json[]
  const names = grpcEnv.map((e) => e.name)
  assert.ok(names.indexOf('grpc_proxy') > names.indexOf('TUNEWELL_REPORT_TOKEN'), 'Kubernetes expands $(VAR) only of entries listed before')
  assert.deepEqual(grpcEnv.find((e) => e.name === 'grpc_proxy'), { name: 'grpc_proxy', value: `http://${trial.name}:$(TUNEWELL_REPORT_TOKEN)@tunewell.tunewell.svc:6789` })
  assert.deepEqual(grpcEnv.find((e) => e.name === 'TUNEWELL_KATIB_DB_MANAGER_ADDRESS'), { name: 'TUNEWELL_KATIB_DB_MANAGER_ADDRESS', value: 'tunewell.tunewell.svc:6789' })
  assert.doesNotMatch(JSON.stringify(grpc.manifest), /secret-token/)

  // A PyTorchJob: only the Master's pod gets it, as Katib's webhook mutates the primary pod only.
  const pytorch = example('kubeflow-training-operator/pytorchjob-mnist.yaml')
  const py = renderWorkload(withCollector(pytorch, { collector: { kind: 'Custom', customCollector: container }, source: { fileSystemPath: { kind: 'File', path: '/var/log/m.log' } } }), { name: 'py-abcd1234', params: { lr: 0.01, momentum: 0.5 } }, { defaultNamespace: 'd', env: ENV })
  const replicas = (py.manifest as Json).spec.pytorchReplicaSpecs
  assert.deepEqual(replicas.Master.template.spec.initContainers.map((c: Json) => c.name), ['my-collector'])
  assert.equal(replicas.Worker.template.spec.initContainers, undefined)

  // A kind with no pod template for it (a TrainJob's trainer) cannot have it.
  const trainJob = example('kubeflow-trainer/trainjob-pytorch.yaml')
  assert.throws(
    () => renderWorkload(withCollector(trainJob, { collector: { kind: 'Custom', customCollector: container } }), { name: 'tj-abcd1234', params: { lr: 0.01, momentum: 0.5 } }, { defaultNamespace: 'd', env: ENV }),
    (e: unknown) => e instanceof LaunchError && /collector kind Custom runs as a sidecar in the trial's pod template/.test(e.message),
  )
})
