import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta'
import { Job } from 'kubernetes-models/batch/v1/Job'
import { Container } from 'kubernetes-models/v1/Container'
import { EnvVar } from 'kubernetes-models/v1/EnvVar'
import { PodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec'
import type { Experiment } from '../../core/spec/index.ts'
import type { Params } from '../../core/search-space.ts'
import { renderWorkload } from '../../controller/kubernetes/render-workload.ts'
import { exampleFiles, exampleSets, exampleText, experimentOf } from '../core/spec/spec-test-kit.ts'

type Json = Record<string, any>

/**
 * Done means (issue 14): every Katib example Experiment renders trial workloads that are valid
 * Kubernetes objects. A batch/v1 Job is checked whole against Kubernetes' own schema
 * (kubernetes-models). For the other kinds no schema is at hand here (kubernetes-models has none
 * for Kubeflow's, Argo's or Tekton's resources), so what the API server would check of them is:
 * their metadata (ObjectMeta), and every Kubernetes type they embed, each against its schema:
 * the pod templates of a training job's replicas, Argo's containers and scripts, Tekton's steps,
 * a TrainJob trainer's env; the rest structurally. Runs over the repository's copy of the
 * examples (test/fixtures/katib) and over the shared reference copy beside the repository when
 * there is one (skipped, saying so, when it is not).
 */

/** Katib's `defaultTrialTemplate.yaml` in substance, for trial-configmap-source.yaml (the executor reads it from the cluster). */
const CONFIG_MAP_TEMPLATE = `apiVersion: batch/v1
kind: Job
spec:
  template:
    spec:
      containers:
        - name: training-container
          image: docker.io/kubeflowkatib/mxnet-mnist:latest
          command: ["python3", "/opt/mxnet-mnist/mnist.py", "--lr=\${trialParameters.learningRate}", "--num-layers=\${trialParameters.numberLayers}", "--optimizer=\${trialParameters.optimizer}"]
      restartPolicy: Never
`

const ENV = { TUNEWELL_REPORT_URL: 'http://tunewell.example:8080', TUNEWELL_REPORT_TOKEN: 'secret-token' }

/** Two sample trials: every parameter at its lower bound (or first value), then at its upper bound (or last). */
function sampleParams(experiment: Experiment, end: 'low' | 'high'): Params {
  const params: Record<string, string | number> = {}
  for (const p of experiment.spec.parameters ?? []) {
    const space = p.feasibleSpace
    const bound = end === 'low' ? space.min : space.max
    params[p.name] = space.list ? space.list[end === 'low' ? 0 : space.list.length - 1]! : Number(bound ?? 0)
  }
  for (const tp of experiment.spec.trialTemplate?.trialParameters ?? []) {
    // NAS experiments' architecture assignments: any string.
    if (!tp.reference.startsWith('${trialSpec.') && params[tp.reference] === undefined) params[tp.reference] = '[[3, 0]]'
  }
  return params
}

/** Throws, naming the path, where a Kubernetes type embedded in the workload breaks its schema. */
function validateEmbedded(what: string, validate: () => void): void {
  try {
    validate()
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`)
  }
}

const podTemplate = (where: string, template: unknown) => {
  assert.ok(template && typeof template === 'object', `${where}: a pod template`)
  validateEmbedded(where, () => new PodTemplateSpec(template as ConstructorParameters<typeof PodTemplateSpec>[0]).validate())
}
const container = (where: string, value: unknown) =>
  validateEmbedded(where, () => new Container(value as ConstructorParameters<typeof Container>[0]).validate())

/** The workload's own shape: what its kind requires of it, and the Kubernetes types inside. Returns what it checked. */
function validateWorkload(manifest: Json): string {
  validateEmbedded('metadata', () => new ObjectMeta(manifest.metadata).validate())
  const { apiVersion, kind, spec } = manifest
  assert.ok(spec && typeof spec === 'object', 'a spec')
  if (apiVersion === 'batch/v1' && kind === 'Job') {
    validateEmbedded('Job', () => new Job(manifest as ConstructorParameters<typeof Job>[0]).validate())
    return 'Job schema'
  }
  if (apiVersion === 'kubeflow.org/v1' && /^(TF|PyTorch|MPI|XGBoost|Paddle|JAX)Job$/.test(kind)) {
    const key = Object.keys(spec).find((k) => k.endsWith('ReplicaSpecs'))
    assert.ok(key, `${kind}: a *ReplicaSpecs map`)
    const replicas = Object.entries(spec[key] as Json)
    assert.ok(replicas.length > 0, `${kind}: replicas`)
    for (const [role, replica] of replicas) {
      if (replica.replicas !== undefined) assert.ok(Number.isInteger(replica.replicas) && replica.replicas >= 0, `${key}.${role}.replicas`)
      if (replica.restartPolicy !== undefined) assert.ok(['Always', 'OnFailure', 'Never', 'ExitCode'].includes(replica.restartPolicy), `${key}.${role}.restartPolicy`)
      podTemplate(`${key}.${role}.template`, replica.template)
    }
    return 'pod templates'
  }
  if (apiVersion === 'trainer.kubeflow.org/v1alpha1' && kind === 'TrainJob') {
    assert.equal(typeof spec.runtimeRef?.name, 'string', 'spec.runtimeRef.name')
    const trainer = spec.trainer as Json | undefined
    if (trainer) {
      if (trainer.numNodes !== undefined) assert.ok(Number.isInteger(trainer.numNodes) && trainer.numNodes > 0, 'spec.trainer.numNodes')
      for (const field of ['command', 'args'] as const) if (trainer[field] !== undefined) assert.ok(trainer[field].every((a: unknown) => typeof a === 'string'), `spec.trainer.${field}`)
      for (const [i, env] of (trainer.env ?? []).entries()) validateEmbedded(`spec.trainer.env[${i}]`, () => new EnvVar(env).validate())
    }
    return 'trainer'
  }
  if (apiVersion === 'argoproj.io/v1alpha1' && kind === 'Workflow') {
    assert.equal(typeof spec.entrypoint, 'string', 'spec.entrypoint')
    for (const [k, v] of Object.entries({ ...spec.podMetadata?.labels })) assert.equal(typeof v, 'string', `spec.podMetadata.labels.${k}`)
    for (const template of spec.templates as Json[]) {
      if (template.container) container(`spec.templates[${template.name}].container`, template.container)
      if (template.script) {
        const { source, ...script } = template.script
        assert.equal(typeof source, 'string', `spec.templates[${template.name}].script.source`)
        container(`spec.templates[${template.name}].script`, { name: 'main', ...script })
      }
    }
    return 'containers'
  }
  if (apiVersion.startsWith('tekton.dev/') && kind === 'PipelineRun') {
    for (const task of spec.pipelineSpec?.tasks ?? []) {
      for (const step of task.taskSpec?.steps ?? []) {
        const { script, ...rest } = step
        if (script !== undefined) assert.equal(typeof script, 'string')
        container(`spec.pipelineSpec.tasks[${task.name}].steps[${step.name}]`, rest)
      }
    }
    return 'steps'
  }
  assert.fail(`no check for ${apiVersion} ${kind}: add one`)
}

for (const set of exampleSets) {
  test(`every Katib example in ${set.name} renders trial workloads valid against Kubernetes' schemas`, { skip: set.skip }, () => {
    const kinds = new Map<string, string>()
    for (const file of exampleFiles(set.dir)) {
      const experiment = experimentOf(exampleText(file, set.dir))
      const configMapTemplate = experiment.spec.trialTemplate?.configMap ? CONFIG_MAP_TEMPLATE : undefined
      for (const end of ['low', 'high'] as const) {
        const trial = { name: `${experiment.metadata.name}-${end === 'low' ? 'a1b2c3d4' : 'z9y8x7w6'}`, params: sampleParams(experiment, end) }
        const rendered = renderWorkload(experiment, trial, { defaultNamespace: 'team-a', env: ENV, ...(configMapTemplate ? { configMapTemplate } : {}) })
        const manifest = rendered.manifest as Json
        const where = `${set.name}/${file} (${end} parameters)`
        let checked: string
        try {
          checked = validateWorkload(manifest)
        } catch (error) {
          throw new Error(`${where}: ${(error as Error).message}`)
        }
        assert.doesNotMatch(JSON.stringify(manifest), /\$\{trialParameters\.|\$\{trialSpec\./, `${where}: every placeholder replaced`)
        assert.equal(manifest.metadata.name, trial.name, where)
        kinds.set(`${manifest.apiVersion} ${manifest.kind}`, checked)
      }
    }
    // What the examples hold (a new kind among them fails validateWorkload until it gets a check).
    assert.deepEqual(Object.fromEntries([...kinds].sort()), {
      'argoproj.io/v1alpha1 Workflow': 'containers',
      'batch/v1 Job': 'Job schema',
      'kubeflow.org/v1 MPIJob': 'pod templates',
      'kubeflow.org/v1 PyTorchJob': 'pod templates',
      'kubeflow.org/v1 TFJob': 'pod templates',
      'kubeflow.org/v1 XGBoostJob': 'pod templates',
      'tekton.dev/v1beta1 PipelineRun': 'steps',
      'trainer.kubeflow.org/v1alpha1 TrainJob': 'trainer',
    })
  })
}

test('the checks catch what the API server would refuse: a Job\'s bad field, a replica\'s pod template, an Argo container', () => {
  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 't' }, spec: { completions: 'two', template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } }
  assert.throws(() => validateWorkload(job), /completions/)
  const pytorch = { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: 't' }, spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'LR', value: 0.1 }] }] } } } } } }
  assert.throws(() => validateWorkload(pytorch), /pytorchReplicaSpecs\.Master\.template: .*env\/0\/value must be string/)
  const argo = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 't' }, spec: { entrypoint: 'x', templates: [{ name: 'x', container: { image: 'i', command: [1] } }] } }
  assert.throws(() => validateWorkload(argo), /templates\[x\]\.container/)
  assert.throws(() => validateWorkload({ ...job, metadata: { name: 't', labels: { a: 1 } } }), /metadata/)
})
