import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'
import { startFakeKube, type FakeKube, type KubeObject } from '../helpers/fake-kube/index.ts'
import { freePort } from '../helpers/free-port.ts'

/**
 * File and TensorFlowEvent metrics on a cluster, as a user meets them: `tunewell run FILE
 * --executor kubernetes --report-url URL` as a child process against the fake API server. Each
 * trial's Job gets the collector sidecar (`tunewell collect`, the fake's kubelet runs the image's
 * entrypoint as this repository's CLI), which reads the metrics the trial writes to the pod's
 * emptyDir and pushes them; the kubelet stops it once the trial's container ended, so the Job
 * completes. The push token reaches the pods from a Secret per trial.
 */

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const fileMetrics = fileURLToPath(new URL('../fixtures/trials/file-metrics.mjs', import.meta.url))
const tfeventMetrics = fileURLToPath(new URL('../fixtures/trials/tfevent-metrics.mjs', import.meta.url))
const COLLECTOR_IMAGE = 'registry.example/tunewell:test'
const home = mkdtempSync(join(tmpdir(), 'tunewell-k8s-sidecar-'))
const suffix = Date.now().toString(36)
const names: string[] = []
let kube: FakeKube

before(async () => {
  kube = await startFakeKube({ entrypoints: { [COLLECTOR_IMAGE]: [process.execPath, bin] } })
})
after(async () => {
  await deleteCliExperiments(home, names)
  await kube.close()
  rmSync(home, { recursive: true, force: true })
})

function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: home,
      env: { ...process.env, KUBECONFIG: kube.kubeconfigPath, TUNEWELL_EXECUTOR: '', TUNEWELL_REPORT_URL: '', TUNEWELL_COLLECTOR_IMAGE: '', ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}


/** Two trials of two in parallel, minimising loss (x), `collector` the metricsCollectorSpec's YAML lines. */
function writeExperiment(name: string, collector: string, command: readonly string[], retain: boolean): string {
  names.push(name)
  const file = join(home, `${name}.yaml`)
  writeFileSync(file, `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
    additionalMetricNames: [accuracy]
  algorithm:
    algorithmName: random
  parallelTrialCount: 2
  maxTrialCount: 2
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0.1", max: "0.9"}}
  metricsCollectorSpec:
${collector}
  trialTemplate:
    primaryContainerName: training
    retain: ${retain}
    trialParameters:
      - {name: x, reference: x}
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        backoffLimit: 0
        template:
          spec:
            restartPolicy: Never
            containers:
              - name: training
                image: docker.io/library/node:20
                command: ${JSON.stringify(command)}
`)
  return file
}

async function trialsOf(name: string) {
  return withCliStore(home, async (store) => {
    const record = await store.experiments.getByName(name)
    assert.ok(record, `experiment ${name} exists`)
    const trials = await store.trials.list(record.id)
    const points = new Map(await Promise.all(trials.map(async (t) => [t.name, await store.observations.list(t.id)] as const)))
    return { record, trials, points }
  })
}

const created = (resource: string) => kube.requests.filter((r) => r.verb === 'create' && r.resource === resource && r.code === 201).length

describe('File and TensorFlowEvent collectors on a cluster: the sidecar', () => {
  test('File: every point the trials write arrives once, the Jobs complete, and the token is in a Secret, not in the Job', { timeout: 180_000 }, async () => {
    const name = `sidecar-file-${suffix}`
    // Both trials write the same absolute path: each pod has its own emptyDir there.
    const file = writeExperiment(name, `    collector: {kind: File}
    source:
      fileSystemPath: {kind: File, path: /var/log/katib/metrics.log}`,
    [process.execPath, fileMetrics, '--x=${trialParameters.x}', '--log-path=/var/log/katib/metrics.log', '--steps=4', '--sleep-ms=150'], true)
    kube.clearRequests()
    const port = await freePort()
    const result = await cli(['run', file, '--executor', 'kubernetes', '--report-url', `http://127.0.0.1:${port}`, '--collector-image', COLLECTOR_IMAGE])
    assert.equal(result.code, 0, result.stderr + result.stdout)
    const { record, trials, points } = await trialsOf(name)
    assert.equal(record.state, 'Succeeded')
    assert.equal(trials.length, 2)
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message ?? ''}`)
      // file-metrics.mjs appends loss=<x> once per step: four points, steps 0..3, each the trial's own x.
      const x = Number(trial.params.x)
      assert.deepEqual(points.get(trial.name)!.map((p) => [p.name, p.step, p.value]), [0, 1, 2, 3].map((step) => ['loss', step, x]), trial.name)
      assert.equal(Number(trial.objective), x)

      // retain: the Job is kept; it completed, so did its pod (the sidecar was stopped, not left running).
      const job = kube.object('jobs', kube.namespace, trial.name)!
      assert.ok(job.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Complete' && c.status === 'True'), JSON.stringify(job.status))
      const [pod] = kube.podsOf(kube.namespace, trial.name)
      assert.equal(pod?.status?.phase, 'Succeeded')
      const collector = pod!.status.initContainerStatuses.find((s: { name: string }) => s.name === 'tunewell-collector')
      assert.equal(collector.state.terminated.exitCode, 0, 'the collector pushed everything and exited 0 on SIGTERM')

      // The token: only a reference in the Job; the value in the trial's Secret, which the Job owns.
      const spec = JSON.stringify(job.spec)
      const sidecar = job.spec.template.spec.initContainers.find((c: { name: string }) => c.name === 'tunewell-collector')
      assert.deepEqual(sidecar.env.find((e: { name: string }) => e.name === 'TUNEWELL_REPORT_TOKEN').valueFrom, { secretKeyRef: { name: `${trial.name}-report-token`, key: 'token' } })
      const secret = kube.object('secrets', kube.namespace, `${trial.name}-report-token`) as KubeObject
      const token = Buffer.from(secret.data.token, 'base64').toString()
      assert.ok(token.length > 20)
      assert.equal(spec.includes(token), false, 'the token is not in the Job')
      assert.deepEqual(secret.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid]), [['Job', trial.name, job.metadata.uid]])
    }
    assert.equal(created('secrets'), 2)
    assert.equal(created('jobs'), 2)
  })

  test('TensorFlowEvent: the event files\' scalars arrive with their steps; the Jobs and their Secrets are gone afterwards', { timeout: 180_000 }, async () => {
    const name = `sidecar-tfevent-${suffix}`
    const file = writeExperiment(name, `    collector: {kind: TensorFlowEvent}
    source:
      fileSystemPath: {kind: Directory, path: /var/log/katib/tfevent/}`,
    [process.execPath, tfeventMetrics, '--x=${trialParameters.x}', '--logdir=/var/log/katib/tfevent', '--steps=3', '--sleep-ms=150'], false)
    kube.clearRequests()
    const port = await freePort()
    const result = await cli(['run', file, '--executor', 'kubernetes', '--report-url', `http://127.0.0.1:${port}`], { TUNEWELL_COLLECTOR_IMAGE: COLLECTOR_IMAGE })
    assert.equal(result.code, 0, result.stderr + result.stdout)
    const { record, trials, points } = await trialsOf(name)
    assert.equal(record.state, 'Succeeded')
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message ?? ''}`)
      const x = Number(trial.params.x)
      // tfevent-metrics.mjs: steps 1..3, loss=x as TF1 simple_value, accuracy=1-x as a TF2 float tensor (float32 precision).
      const got = points.get(trial.name)!.map((p) => [p.name, p.step, Math.round(p.value * 1e5) / 1e5])
      const round = (v: number) => Math.round(Math.fround(v) * 1e5) / 1e5
      assert.deepEqual(got, [
        ...[1, 2, 3].map((step) => ['accuracy', step, round(1 - x)]),
        ...[1, 2, 3].map((step) => ['loss', step, round(x)]),
      ], trial.name)
    }
    // Not retained: each Job was deleted when its trial ended, and the garbage collector took its Secret with it.
    await kube.waitFor('secrets', kube.namespace, `${trials[0]!.name}-report-token`, (o) => o === undefined, 10_000)
    assert.deepEqual(kube.objects('secrets', kube.namespace).filter((s) => s.metadata.name?.startsWith(name)), [])
    assert.deepEqual(kube.objects('jobs', kube.namespace).filter((j) => j.metadata.name?.startsWith(name)), [])
  })

  test('without --report-url a File experiment is refused before anything runs: the sidecar could not reach the controller', async () => {
    const name = `sidecar-nourl-${suffix}`
    const file = writeExperiment(name, '    collector: {kind: File}', [process.execPath, fileMetrics], false)
    kube.clearRequests()
    const result = await cli(['run', file, '--executor', 'kubernetes'])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /\/spec\/metricsCollectorSpec\/collector\/kind: The File collector's sidecar, which pushes the metrics, needs an address of this controller that the pods can reach: set --report-url/)
    assert.equal(created('jobs'), 0)
  })
})
