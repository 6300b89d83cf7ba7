import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Job } from 'kubernetes-models/batch/v1/Job'
import type { Experiment } from '../../core/spec/index.ts'
import type { Params } from '../../core/search-space.ts'
import { renderWorkload } from '../../controller/kubernetes/render-workload.ts'
import { LaunchError } from '../../controller/trial-executor.ts'
import { example, exampleFiles, experimentOf, JOB } from '../core/spec/spec-test-kit.ts'

type Json = Record<string, any>

/** Katib's `defaultTrialTemplate.yaml` of its trial-templates ConfigMap, in substance: what trial-configmap-source.yaml reads. */
const CONFIG_MAP_TEMPLATE = `apiVersion: batch/v1
kind: Job
spec:
  template:
    spec:
      containers:
        - name: training-container
          image: docker.io/kubeflowkatib/mxnet-mnist:latest
          command:
            - "python3"
            - "/opt/mxnet-mnist/mnist.py"
            - "--batch-size=64"
            - "--lr=\${trialParameters.learningRate}"
            - "--num-layers=\${trialParameters.numberLayers}"
            - "--optimizer=\${trialParameters.optimizer}"
      restartPolicy: Never
`

/** One value per parameter (the lower bound, or the first of a list), and a stand-in for NAS assignments. */
function sampleParams(experiment: Experiment): Params {
  const params: Record<string, string | number> = {}
  for (const p of experiment.spec.parameters ?? []) {
    const space = p.feasibleSpace
    params[p.name] = space.list?.[0] ?? (p.parameterType === 'int' ? Number(space.min) : Number(space.min ?? 0))
  }
  for (const tp of experiment.spec.trialTemplate?.trialParameters ?? []) {
    if (!tp.reference.startsWith('${trialSpec.') && params[tp.reference] === undefined) params[tp.reference] = 'x'
  }
  return params
}

const ENV = { TUNEWELL_REPORT_URL: 'http://tunewell.example:8080/api/v1/trials/t/report', TUNEWELL_REPORT_TOKEN: 'secret-token' }

function labelsOf(node: Json | undefined): Json {
  return node?.metadata?.labels ?? {}
}

function envOf(container: Json): Record<string, string> {
  return Object.fromEntries((container.env ?? []).filter((e: Json) => 'value' in e).map((e: Json) => [e.name, e.value]))
}

const files = exampleFiles()

test('every Katib example renders a workload for a sample trial, named and labelled after it', () => {
  let jobs = 0
  for (const file of files) {
    const experiment = example(file)
    const trial = { name: `${experiment.metadata.name}-abcd1234`, params: sampleParams(experiment) }
    const configMapTemplate = experiment.spec.trialTemplate?.configMap ? CONFIG_MAP_TEMPLATE : undefined
    const rendered = renderWorkload(experiment, trial, { defaultNamespace: 'team-a', env: ENV, ...(configMapTemplate ? { configMapTemplate } : {}) })
    const manifest = rendered.manifest as Json
    const where = `${file}: `
    const kind = (experiment.spec.trialTemplate?.trialSpec?.kind as string | undefined) ?? 'Job'
    assert.equal(manifest.kind, kind, where)
    assert.equal(rendered.kind, kind, where)
    assert.equal(manifest.apiVersion, rendered.apiVersion, where)
    assert.equal(manifest.metadata.name, trial.name, where)
    assert.equal(manifest.metadata.namespace, experiment.metadata.namespace ?? 'team-a', where)
    assert.equal(rendered.namespace, manifest.metadata.namespace, where)
    for (const labels of [labelsOf(manifest)]) {
      assert.equal(labels['katib.kubeflow.org/experiment'], experiment.metadata.name, where)
      assert.equal(labels['katib.kubeflow.org/trial'], trial.name, where)
      assert.equal(labels['app.kubernetes.io/managed-by'], 'tunewell', where)
    }
    assert.equal(rendered.primaryContainerName, experiment.spec.trialTemplate?.primaryContainerName, where)
    assert.ok(rendered.successCondition.length > 0 && rendered.failureCondition.length > 0, where)
    assert.doesNotMatch(JSON.stringify(manifest), /\$\{trialParameters\./, where)
    // The push token is never in the workload's spec: a Secret holds it, for the trials that push.
    assert.doesNotMatch(JSON.stringify(manifest), /secret-token/, where)
    const collector = experiment.spec.metricsCollectorSpec?.collector?.kind ?? 'StdOut'
    assert.equal(rendered.secret !== undefined, ['Push', 'File', 'TensorFlowEvent', 'PrometheusMetric', 'Custom'].includes(collector), where)
    if (kind === 'Job') {
      jobs++
      // Kubernetes' own schema for batch/v1 Job (throws on an invalid object).
      new Job(manifest as ConstructorParameters<typeof Job>[0]).validate()
      assert.equal(labelsOf(manifest.spec.template)['katib.kubeflow.org/trial'], trial.name, where)
      const primary = manifest.spec.template.spec.containers.find((c: Json) => c.name === rendered.primaryContainerName)
      const env = envOf(primary)
      assert.deepEqual({ ...env, KATIB_TRIAL_NAME: trial.name, TUNEWELL_TRIAL_NAME: trial.name, TUNEWELL_REPORT_URL: ENV.TUNEWELL_REPORT_URL }, env, where)
      assert.deepEqual(JSON.parse(env.TUNEWELL_PARAMS!), trial.params, where)
    }
    const replicaSpecs = Object.entries(manifest.spec ?? {}).find(([key]) => key.endsWith('ReplicaSpecs'))?.[1] as Json | undefined
    if (replicaSpecs) {
      assert.ok(Object.keys(replicaSpecs).length > 0, where)
      for (const [role, replica] of Object.entries(replicaSpecs)) {
        assert.equal(labelsOf(replica.template)['katib.kubeflow.org/trial'], trial.name, `${where}${role}`)
        assert.equal(labelsOf(replica.template)['katib.kubeflow.org/experiment'], experiment.metadata.name, `${where}${role}`)
      }
      // The template's, else Katib's default for the Kubeflow jobs.
      assert.deepEqual(rendered.primaryPodLabels, experiment.spec.trialTemplate?.primaryPodLabels, where)
      assert.ok(Object.keys(rendered.primaryPodLabels).length > 0, where)
    }
  }
  assert.ok(jobs >= 20, `only ${jobs} Job examples`)
})

test('the trial environment reaches the primary container of every kind the examples use', () => {
  const cases: [string, (m: Json) => Json[]][] = [
    ['kubeflow-training-operator/pytorchjob-mnist.yaml', (m) => Object.values(m.spec.pytorchReplicaSpecs).flatMap((r: any) => r.template.spec.containers)],
    ['kubeflow-trainer/trainjob-pytorch.yaml', (m) => [m.spec.trainer]],
    ['tekton/pipeline-run.yaml', (m) => m.spec.pipelineSpec.tasks.flatMap((t: any) => t.taskSpec.steps).filter((s: Json) => s.name === 'model-training')],
    ['argo/argo-workflow.yaml', (m) => m.spec.templates.filter((t: Json) => t.name === 'model-training').map((t: Json) => t.container)],
  ]
  for (const [file, primaries] of cases) {
    const experiment = example(file)
    const rendered = renderWorkload(experiment, { name: 'trial-abcd1234', params: sampleParams(experiment) }, { defaultNamespace: 'default', env: ENV })
    const found = primaries(rendered.manifest)
    assert.ok(found.length > 0, file)
    for (const container of found) assert.equal(envOf(container).TUNEWELL_TRIAL_NAME, 'trial-abcd1234', file)
  }
  // Argo labels its pods from podMetadata; only the labelled template is the primary one.
  const argo = renderWorkload(example('argo/argo-workflow.yaml'), { name: 'trial-abcd1234', params: { lr: 0.01 } }, { defaultNamespace: 'default', env: ENV }).manifest as Json
  assert.equal(argo.spec.podMetadata.labels['katib.kubeflow.org/trial'], 'trial-abcd1234')
  assert.equal(envOf(argo.spec.templates.find((t: Json) => t.name === 'gen-epochs').script).TUNEWELL_TRIAL_NAME, undefined)
})

test('namespace: the Experiment\'s, else the context\'s; an owner reference only when one is given', () => {
  const experiment = experimentOf(JOB)
  const trial = { name: 'demo-abcd1234', params: { lr: 0.01, layers: 2, optimizer: 'sgd' } }
  assert.equal(renderWorkload(experiment, trial, { defaultNamespace: 'ctx' }).namespace, 'kubeflow')
  const { namespace: _, ...metadata } = experiment.metadata
  const plain = renderWorkload({ ...experiment, metadata }, trial, { defaultNamespace: 'ctx' })
  assert.equal(plain.namespace, 'ctx')
  assert.equal((plain.manifest.metadata as Json).ownerReferences, undefined)
  const owner = { apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', name: 'demo', uid: '0b8a3c5e-1111-2222-3333-444455556666' }
  const owned = renderWorkload(experiment, trial, { defaultNamespace: 'ctx', owner })
  assert.deepEqual((owned.manifest.metadata as Json).ownerReferences, [{ ...owner, controller: true, blockOwnerDeletion: true }])
  new Job(owned.manifest as ConstructorParameters<typeof Job>[0]).validate()
})

test('templates that cannot run on a cluster are LaunchErrors that say why', () => {
  const experiment = experimentOf(JOB)
  const trial = { name: 'demo-abcd1234', params: { lr: 0.01, layers: 2, optimizer: 'sgd' } }
  const template = experiment.spec.trialTemplate!
  const withTemplate = (changes: Json): Experiment => ({ ...experiment, spec: { ...experiment.spec, trialTemplate: { ...template, ...changes } } })
  assert.throws(() => renderWorkload(withTemplate({ primaryContainerName: 'nope' }), trial, { defaultNamespace: 'd' }), (e: unknown) => e instanceof LaunchError && /no container named "nope"/.test(e.message))
  assert.throws(() => renderWorkload(withTemplate({ trialSpec: undefined, command: ['python3', 'train.py'] }), trial, { defaultNamespace: 'd' }), (e: unknown) => e instanceof LaunchError && /local `command` form/.test(e.message))
  assert.throws(() => renderWorkload(experiment, { ...trial, name: 'Demo_1' }, { defaultNamespace: 'd' }), (e: unknown) => e instanceof LaunchError && /no valid Kubernetes name/.test(e.message))
  assert.throws(() => renderWorkload(experiment, { ...trial, params: { lr: 0.01 } }, { defaultNamespace: 'd' }), (e: unknown) => e instanceof LaunchError && /no assignment for parameter "layers"/.test(e.message))
  const custom = withTemplate({ trialSpec: { apiVersion: 'example.com/v1', kind: 'Custom', spec: { lr: '${trialParameters.learningRate}', l: '${trialParameters.layers}', o: '${trialParameters.optimizer}' } }, successCondition: undefined, failureCondition: undefined })
  assert.throws(() => renderWorkload(custom, trial, { defaultNamespace: 'd' }), (e: unknown) => e instanceof LaunchError && /set trialTemplate.successCondition/.test(e.message))
  const configMap = example('trial-template/trial-configmap-source.yaml')
  assert.throws(() => renderWorkload(configMap, { name: 'x-abcd1234', params: { lr: 0.01, 'num-layers': 2, optimizer: 'sgd' } }, { defaultNamespace: 'd' }), (e: unknown) => e instanceof LaunchError && /pass its text/.test(e.message))
})

test('File and TensorFlowEvent: the collector sidecar beside the primary container, one emptyDir at the metrics folder, the token from the trial\'s Secret', () => {
  const file = example('metrics-collector/file-metrics-collector.yaml')
  const trial = { name: 'file-abcd1234', params: sampleParams(file) }
  const rendered = renderWorkload(file, trial, { defaultNamespace: 'team-a', env: ENV, collectorImage: 'registry.example/tunewell:9' })
  const manifest = rendered.manifest as Json
  new Job(manifest as ConstructorParameters<typeof Job>[0]).validate()
  const pod = manifest.spec.template.spec
  const primary = pod.containers.find((c: Json) => c.name === rendered.primaryContainerName)
  assert.deepEqual(pod.volumes.filter((v: Json) => v.name === 'tunewell-metrics'), [{ name: 'tunewell-metrics', emptyDir: {} }])
  assert.deepEqual(primary.volumeMounts, [{ name: 'tunewell-metrics', mountPath: '/katib' }])
  assert.equal(envOf(primary).TUNEWELL_METRICS_FILE, '/katib/mnist.log')
  // The primary container does not push: the URL as every trial has it, no token.
  assert.deepEqual(primary.env.filter((e: Json) => e.name.startsWith('TUNEWELL_REPORT')), [{ name: 'TUNEWELL_REPORT_URL', value: ENV.TUNEWELL_REPORT_URL }])

  const [sidecar, ...others] = pod.initContainers
  assert.equal(others.length, 0)
  assert.equal(sidecar.name, 'tunewell-collector')
  assert.equal(sidecar.image, 'registry.example/tunewell:9')
  // A native sidecar: started before the trial's containers, stopped after them.
  assert.equal(sidecar.restartPolicy, 'Always')
  assert.equal(sidecar.command, undefined, 'the image\'s entrypoint is tunewell')
  assert.deepEqual(sidecar.args, [
    'collect', '--metrics-file', '/katib/mnist.log', '--format', 'TEXT',
    '--filter', String.raw`{metricName: ([\w|-]+), metricValue: ((-?\d+)(\.\d+)?)}`,
    '--metric', 'accuracy', '--metric', 'loss', '--ready-file', '/katib/.tunewell-collector-ready',
  ])
  assert.deepEqual(sidecar.volumeMounts, [{ name: 'tunewell-metrics', mountPath: '/katib' }])
  assert.deepEqual(sidecar.startupProbe.exec.command, ['test', '-e', '/katib/.tunewell-collector-ready'])
  assert.deepEqual(sidecar.env, [
    { name: 'TUNEWELL_TRIAL_NAME', value: trial.name },
    { name: 'TUNEWELL_REPORT_URL', value: ENV.TUNEWELL_REPORT_URL },
    { name: 'TUNEWELL_REPORT_TOKEN', valueFrom: { secretKeyRef: { name: 'file-abcd1234-report-token', key: 'token' } } },
  ])

  // The Secret: in the workload's namespace, labelled as it is, the token base64-encoded.
  const secret = rendered.secret as Json
  assert.equal(secret.kind, 'Secret')
  assert.deepEqual(secret.metadata, { name: 'file-abcd1234-report-token', namespace: manifest.metadata.namespace, labels: { ...labelsOf(manifest), 'katib.kubeflow.org/experiment': file.metadata.name } })
  assert.equal(Buffer.from(secret.data.token, 'base64').toString(), 'secret-token')
  assert.doesNotMatch(JSON.stringify(manifest), /secret-token/)

  // TensorFlowEvent: the event folder itself is shared, in every replica that has the primary container.
  const tf = example('kubeflow-training-operator/tfjob-mnist-with-summaries.yaml')
  const tfJob = renderWorkload(tf, { name: 'tf-abcd1234', params: sampleParams(tf) }, { defaultNamespace: 'team-a', env: ENV })
  const replicas = Object.values((tfJob.manifest as Json).spec.tfReplicaSpecs) as Json[]
  assert.ok(replicas.length > 0)
  // A PyTorchJob's Master is the primary pod (job-role: master): only it collects, not the workers.
  const pytorch = example('kubeflow-training-operator/pytorchjob-mnist.yaml')
  const fileSpec = { collector: { kind: 'File' }, source: { fileSystemPath: { kind: 'File', path: '/var/log/katib/metrics.log', format: 'TEXT' } } }
  const pyJob = renderWorkload({ ...pytorch, spec: { ...pytorch.spec, metricsCollectorSpec: fileSpec } } as Experiment, { name: 'py-abcd1234', params: sampleParams(pytorch) }, { defaultNamespace: 'd', env: ENV })
  const pyReplicas = (pyJob.manifest as Json).spec.pytorchReplicaSpecs
  assert.deepEqual(Object.keys(pyReplicas).sort(), ['Master', 'Worker'])
  assert.equal(pyReplicas.Master.template.spec.initContainers.length, 1)
  assert.equal(pyReplicas.Worker.template.spec.initContainers, undefined)
  assert.equal(pyReplicas.Worker.template.spec.volumes, undefined)
  // A TFJob of workers only: each worker's pod (the operator makes worker 0 the master).
  for (const replica of replicas) {
    const collector = replica.template.spec.initContainers.find((c: Json) => c.name === 'tunewell-collector')
    assert.equal(collector.image, 'tunewell:0.1.0', 'the default: the Tunewell image of this version')
    assert.deepEqual(collector.args.slice(0, 3), ['collect', '--tfevent-dir', '/mnist-with-summaries-logs/test'])
    assert.deepEqual(collector.volumeMounts, [{ name: 'tunewell-metrics', mountPath: '/mnist-with-summaries-logs/test' }])
  }
})

test('a volume the primary container already mounts at the metrics folder is shared instead of an emptyDir; Push trials get the token from the Secret too', () => {
  const experiment = experimentOf(JOB)
  const trial = { name: 'demo-abcd1234', params: { lr: 0.01, layers: 2, optimizer: 'sgd' } }
  const withCollector = (collector: Json, change?: (spec: Json) => void): Experiment => {
    const trialSpec = structuredClone(experiment.spec.trialTemplate!.trialSpec) as Json
    change?.(trialSpec.spec.template.spec)
    return { ...experiment, spec: { ...experiment.spec, metricsCollectorSpec: collector, trialTemplate: { ...experiment.spec.trialTemplate!, trialSpec } } } as Experiment
  }
  const file = { collector: { kind: 'File' }, source: { fileSystemPath: { kind: 'File', path: '/data/out/metrics.json', format: 'JSON' } } }
  const mounted = renderWorkload(withCollector(file, (pod) => {
    pod.containers[0].volumeMounts = [{ name: 'results', mountPath: '/data/out/' }]
    pod.volumes = [{ name: 'results', persistentVolumeClaim: { claimName: 'results' } }]
  }), trial, { defaultNamespace: 'd', env: ENV }).manifest as Json
  const pod = mounted.spec.template.spec
  assert.deepEqual(pod.volumes.map((v: Json) => v.name), ['results'])
  assert.deepEqual(pod.initContainers[0].volumeMounts, [{ name: 'results', mountPath: '/data/out' }])
  assert.deepEqual(pod.initContainers[0].args.slice(0, 5), ['collect', '--metrics-file', '/data/out/metrics.json', '--format', 'JSON'])

  const push = renderWorkload(withCollector({ collector: { kind: 'Push' } }), trial, { defaultNamespace: 'd', env: ENV })
  const container = (push.manifest as Json).spec.template.spec.containers[0]
  assert.deepEqual(container.env.filter((e: Json) => e.name.startsWith('TUNEWELL_REPORT')), [
    { name: 'TUNEWELL_REPORT_URL', value: ENV.TUNEWELL_REPORT_URL },
    { name: 'TUNEWELL_REPORT_TOKEN', valueFrom: { secretKeyRef: { name: 'demo-abcd1234-report-token', key: 'token' } } },
  ])
  assert.equal((push.manifest as Json).spec.template.spec.initContainers, undefined)
  assert.ok(push.secret)

  // StdOut trials push nothing: no Secret and no token (the URL, as every trial has it).
  const stdout = renderWorkload(experiment, trial, { defaultNamespace: 'd', env: ENV })
  assert.equal(stdout.secret, undefined)
  assert.doesNotMatch(JSON.stringify(stdout.manifest), /TUNEWELL_REPORT_TOKEN/)
  assert.equal(envOf((stdout.manifest as Json).spec.template.spec.containers[0]).TUNEWELL_REPORT_URL, ENV.TUNEWELL_REPORT_URL)

  // A sidecar that could not reach the controller, or a kind without a pod template, is a LaunchError.
  assert.throws(() => renderWorkload(withCollector(file), trial, { defaultNamespace: 'd' }), (e: unknown) => e instanceof LaunchError && /--report-url/.test(e.message))
  const trainJob = example('kubeflow-trainer/trainjob-pytorch.yaml')
  const fileTrainJob = { ...trainJob, spec: { ...trainJob.spec, metricsCollectorSpec: file } } as Experiment
  assert.throws(() => renderWorkload(fileTrainJob, { name: 'tj-abcd1234', params: sampleParams(trainJob) }, { defaultNamespace: 'd', env: ENV }), (e: unknown) => e instanceof LaunchError && /sidecar in the trial's pod template/.test(e.message))
})

test("Katib's gRPC API: a Push trial's grpc_proxy reads the token from the Secret ($(TUNEWELL_REPORT_TOKEN) after it); no other trial gets it", () => {
  const experiment = experimentOf(JOB)
  const trial = { name: 'demo-abcd1234', params: { lr: 0.01, layers: 2, optimizer: 'sgd' } }
  const env = {
    ...ENV,
    grpc_proxy: `http://demo-abcd1234:${ENV.TUNEWELL_REPORT_TOKEN}@tunewell.tunewell.svc:6789`,
    TUNEWELL_KATIB_DB_MANAGER_ADDRESS: 'tunewell.tunewell.svc:6789',
  }
  const push = { ...experiment, spec: { ...experiment.spec, metricsCollectorSpec: { collector: { kind: 'Push' } } } } as Experiment
  const rendered = renderWorkload(push, trial, { defaultNamespace: 'd', env })
  const container = (rendered.manifest as Json).spec.template.spec.containers[0]
  const names = container.env.map((e: Json) => e.name)
  assert.ok(names.indexOf('grpc_proxy') > names.indexOf('TUNEWELL_REPORT_TOKEN'), 'Kubernetes expands $(VAR) only of entries listed before')
  assert.deepEqual(container.env.find((e: Json) => e.name === 'grpc_proxy'), { name: 'grpc_proxy', value: 'http://demo-abcd1234:$(TUNEWELL_REPORT_TOKEN)@tunewell.tunewell.svc:6789' })
  assert.equal(envOf(container).TUNEWELL_KATIB_DB_MANAGER_ADDRESS, 'tunewell.tunewell.svc:6789')
  assert.doesNotMatch(JSON.stringify(rendered.manifest), /secret-token/)

  const stdout = renderWorkload(experiment, trial, { defaultNamespace: 'd', env })
  assert.doesNotMatch(JSON.stringify(stdout.manifest), /secret-token|grpc_proxy/)
})
