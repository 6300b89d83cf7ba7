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
    if (kind === 'Job') {
      jobs++
      // Kubernetes' own schema for batch/v1 Job (throws on an invalid object).
      new Job(manifest as ConstructorParameters<typeof Job>[0]).validate()
      assert.equal(labelsOf(manifest.spec.template)['katib.kubeflow.org/trial'], trial.name, where)
      const primary = manifest.spec.template.spec.containers.find((c: Json) => c.name === rendered.primaryContainerName)
      const env = envOf(primary)
      assert.deepEqual({ ...env, ...ENV, KATIB_TRIAL_NAME: trial.name, TUNEWELL_TRIAL_NAME: trial.name }, env, where)
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
    for (const container of found) assert.equal(envOf(container).TUNEWELL_REPORT_TOKEN, 'secret-token', file)
  }
  // Argo labels its pods from podMetadata; only the labelled template is the primary one.
  const argo = renderWorkload(example('argo/argo-workflow.yaml'), { name: 'trial-abcd1234', params: { lr: 0.01 } }, { defaultNamespace: 'default', env: ENV }).manifest as Json
  assert.equal(argo.spec.podMetadata.labels['katib.kubeflow.org/trial'], 'trial-abcd1234')
  assert.equal(envOf(argo.spec.templates.find((t: Json) => t.name === 'gen-epochs').script).TUNEWELL_REPORT_TOKEN, undefined)
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
