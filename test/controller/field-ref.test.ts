import { test } from 'node:test'
import assert from 'node:assert/strict'
import { availableParallelism, hostname, totalmem } from 'node:os'
import { buildLocalLaunch, LaunchError } from '../../controller/local-launch.ts'
import { localPodName, quantity, resolveValueFrom, type LocalPod } from '../../controller/field-ref.ts'
import type { Container } from '../../controller/primary-container.ts'
import { example } from '../core/spec/spec-test-kit.ts'

const container: Container = { name: 'main', resources: { limits: { cpu: '1500m', memory: '2Gi' }, requests: { memory: '1Gi' } } }
const pod: LocalPod = {
  name: 'exp-abc-xyz12', namespace: 'team', uid: 'u-1', labels: { app: 'mnist' }, annotations: { note: 'hi' },
  serviceAccountName: 'default', containers: [container, { name: 'side', resources: { limits: { cpu: '250m' } } }], baseDir: '/',
}
const field = (fieldPath: string) => resolveValueFrom('X', { fieldRef: { fieldPath } }, container, pod)
const resource = (ref: Record<string, unknown>) => resolveValueFrom('X', { resourceFieldRef: ref }, container, pod)

test('fieldRef answers with the local pod\'s name, namespace, labels, annotations, host and addresses', () => {
  assert.equal(field('metadata.name'), 'exp-abc-xyz12')
  assert.equal(field('metadata.namespace'), 'team')
  assert.equal(field('metadata.uid'), 'u-1')
  assert.equal(field("metadata.labels['app']"), 'mnist')
  assert.equal(field("metadata.labels['missing']"), '')
  assert.equal(field("metadata.annotations['note']"), 'hi')
  assert.equal(field('spec.nodeName'), hostname())
  assert.equal(field('spec.serviceAccountName'), 'default')
  assert.equal(field('status.podIP'), '127.0.0.1')
  assert.equal(field('status.hostIP'), '127.0.0.1')
  assert.throws(() => field('metadata.labels'), /fieldRef.fieldPath "metadata.labels" is not one an env variable can read/)
})

test('resourceFieldRef: limits and requests with the divisor, rounded up; unset limits are this machine\'s', () => {
  assert.equal(resource({ resource: 'limits.cpu' }), '2')
  assert.equal(resource({ resource: 'limits.cpu', divisor: '1m' }), '1500')
  assert.equal(resource({ resource: 'limits.memory', divisor: '1Mi' }), '2048')
  assert.equal(resource({ resource: 'requests.memory' }), String(2 ** 30))
  assert.equal(resource({ resource: 'requests.cpu', divisor: '1m' }), '1500', 'an unset request is its limit')
  assert.equal(resource({ resource: 'limits.cpu', containerName: 'side', divisor: '1m' }), '250')
  const bare = { name: 'bare' }
  assert.equal(resolveValueFrom('X', { resourceFieldRef: { resource: 'limits.cpu' } }, bare, pod), String(availableParallelism()))
  assert.equal(resolveValueFrom('X', { resourceFieldRef: { resource: 'limits.memory' } }, bare, pod), String(totalmem()))
  assert.equal(resolveValueFrom('X', { resourceFieldRef: { resource: 'requests.cpu' } }, bare, pod), '0')
  assert.throws(() => resource({ resource: 'limits.gpu' }), /not one Kubernetes exposes/)
  assert.throws(() => resource({ resource: 'limits.cpu', containerName: 'nope' }), /names no container/)
  assert.deepEqual(['1', '500m', '1.5', '2Ki', '1e3', '1M', '100u'].map((q) => quantity('X', q)), [1, 0.5, 1.5, 2048, 1000, 1e6, 1e-4])
  assert.throws(() => quantity('X', '2 GB'), /not a Kubernetes quantity/)
})

test('secretKeyRef and configMapKeyRef are refused with what to write instead', () => {
  assert.throws(() => resolveValueFrom('TOKEN', { secretKeyRef: { name: 'creds', key: 'token' } }, container, pod),
    /env TOKEN reads the Secret creds key "token" \(valueFrom.secretKeyRef\), which only a Kubernetes cluster holds; for a local run give it a literal value/)
  assert.throws(() => resolveValueFrom('LR', { configMapKeyRef: { name: 'cfg', key: 'lr' } }, container, pod), /the ConfigMap cfg key "lr"/)
})

test('a trialSpec\'s env valueFrom reaches the trial: Katib\'s labels, the pod template\'s, Job names, and $(VAR) of them', () => {
  const experiment = example('hp-tuning/random.yaml')
  experiment.metadata = { ...experiment.metadata, name: 'random', namespace: 'kubeflow' }
  const job = experiment.spec.trialTemplate!.trialSpec as { spec: { template: { metadata?: unknown; spec: { containers: Record<string, unknown>[] } } } }
  job.spec.template.metadata = { labels: { team: 'vision' }, annotations: { 'sidecar.istio.io/inject': 'false' } }
  job.spec.template.spec.containers[0].env = [
    { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'TRIAL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['katib.kubeflow.org/trial']" } } },
    { name: 'EXPERIMENT', valueFrom: { fieldRef: { fieldPath: "metadata.labels['katib.kubeflow.org/experiment']" } } },
    { name: 'JOB', valueFrom: { fieldRef: { fieldPath: "metadata.labels['job-name']" } } },
    { name: 'TEAM', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
    { name: 'ISTIO', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['sidecar.istio.io/inject']" } } },
    { name: 'OUT', value: '/out/$(NS)/$(POD)' },
  ]
  const launch = buildLocalLaunch(experiment, { name: 'random-abc', params: { lr: 0.01, momentum: 0.5 } }, { baseDir: '/srv', runDir: '/srv/runs', env: {} })
  assert.equal(launch.env.POD, localPodName('random-abc'))
  assert.match(launch.env.POD!, /^random-abc-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
  assert.equal(launch.env.NS, 'kubeflow')
  assert.equal(launch.env.TRIAL, 'random-abc')
  assert.equal(launch.env.EXPERIMENT, 'random')
  assert.equal(launch.env.JOB, 'random-abc')
  assert.equal(launch.env.TEAM, 'vision')
  assert.equal(launch.env.ISTIO, 'false')
  assert.equal(launch.env.OUT, `/out/kubeflow/${launch.env.POD}`)

  job.spec.template.spec.containers[0].env = [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }]
  assert.throws(() => buildLocalLaunch(experiment, { name: 'random-abc', params: { lr: 0.01, momentum: 0.5 } }, { baseDir: '/srv', runDir: '/srv/runs', env: {} }),
    (e: unknown) => e instanceof LaunchError && /env TOKEN reads the Secret creds/.test(e.message))
  delete job.spec.template.spec.containers[0].env
  job.spec.template.spec.containers[0].envFrom = [{ configMapRef: { name: 'cfg' } }]
  assert.throws(() => buildLocalLaunch(experiment, { name: 'random-abc', params: { lr: 0.01, momentum: 0.5 } }, { baseDir: '/srv', runDir: '/srv/runs', env: {} }),
    (e: unknown) => e instanceof LaunchError && /envFrom/.test(e.message))
})
