import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'
import { freePort } from '../helpers/free-port.ts'

/**
 * PrometheusMetric and Custom metrics on a cluster, as a user meets them: `tunewell run FILE
 * --executor kubernetes --report-url URL` as a child process against the fake API server, whose
 * kubelet runs containers as local processes. PrometheusMetric: the collector sidecar (`tunewell
 * collect --scrape-url`, the image's entrypoint being this repository's CLI) scrapes the trial's
 * endpoint on the pod's loopback and pushes. Custom: the user's collector container runs as a
 * native sidecar beside the trial, reads the metrics file from the pod's shared volume, prints
 * metric lines (read through its log) and pushes others with the trial's token.
 */

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/trials/${name}`, import.meta.url))
const COLLECTOR_IMAGE = 'registry.example/tunewell:test'
const home = mkdtempSync(join(tmpdir(), 'tunewell-k8s-collectors-'))
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

function cli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: home,
      env: { ...process.env, KUBECONFIG: kube.kubeconfigPath, TUNEWELL_EXECUTOR: '', TUNEWELL_REPORT_URL: '', TUNEWELL_COLLECTOR_IMAGE: '' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Two trials, minimising loss (x); `head` goes under metadata, `collector` is the metricsCollectorSpec's YAML lines. */
function writeExperiment(name: string, head: string, collector: string, parallel: number, command: readonly string[]): string {
  names.push(name)
  const file = join(home, `${name}.yaml`)
  writeFileSync(file, `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
${head}spec:
  objective:
    type: minimize
    objectiveMetricName: loss
    additionalMetricNames: [accuracy]
  algorithm:
    algorithmName: random
  parallelTrialCount: ${parallel}
  maxTrialCount: 2
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0.1", max: "0.9"}}
  metricsCollectorSpec:
${collector}
  trialTemplate:
    primaryContainerName: training
    retain: true
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

const round = (v: number) => Math.round(v * 1e9) / 1e9
const sorted = (points: readonly { name: string; step: number; value: number }[]) =>
  points.map((p) => [p.name, p.step, round(p.value)] as const).sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1])

describe('PrometheusMetric and Custom collectors on a cluster', () => {
  test('PrometheusMetric: the sidecar scrapes each trial\'s endpoint inside its pod and pushes every value once; the Jobs complete', { timeout: 240_000 }, async () => {
    const name = `prometheus-${suffix}`
    // The fake's pods share this machine's network, so the trials take turns on one port (a cluster's pods each have their own).
    const port = await freePort()
    const file = writeExperiment(name, '  annotations: {tunewell.dev/scrape-interval: 100ms}\n', `    collector: {kind: PrometheusMetric}
    source:
      httpGet: {port: ${port}, path: /metrics}`, 1, [process.execPath, fixture('prometheus-stepwise.mjs'), '--x=${trialParameters.x}', `--port=${port}`, '--steps=3'])
    kube.clearRequests()
    const reportPort = await freePort()
    const result = await cli(['run', file, '--executor', 'kubernetes', '--report-url', `http://127.0.0.1:${reportPort}`, '--collector-image', COLLECTOR_IMAGE])
    assert.equal(result.code, 0, result.stderr + result.stdout)
    const { record, trials, points } = await trialsOf(name)
    assert.equal(record.state, 'Succeeded')
    assert.equal(trials.length, 2)
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message ?? ''}`)
      // prometheus-stepwise.mjs: loss = x + (3 - step) / 10 for steps 1..3, each served before the next; accuracy = 1 - loss.
      const x = Number(trial.params.x)
      const losses = [1, 2, 3].map((s) => x + (3 - s) / 10)
      assert.deepEqual(sorted(points.get(trial.name)!), [
        ...losses.map((loss, step) => ['accuracy', step, round(1 - loss)] as const),
        ...losses.map((loss, step) => ['loss', step, round(loss)] as const),
      ], trial.name)
      assert.equal(round(Number(trial.objective)), round(x))

      const job = kube.object('jobs', kube.namespace, trial.name)!
      assert.ok(job.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Complete' && c.status === 'True'), JSON.stringify(job.status))
      const sidecar = job.spec.template.spec.initContainers.find((c: { name: string }) => c.name === 'tunewell-collector')
      assert.deepEqual(sidecar.args.slice(0, 3), ['collect', '--scrape-url', `http://127.0.0.1:${port}/metrics`])
      const [pod] = kube.podsOf(kube.namespace, trial.name)
      assert.equal(pod?.status?.phase, 'Succeeded')
      const collector = pod!.status.initContainerStatuses.find((s: { name: string }) => s.name === 'tunewell-collector')
      assert.equal(collector.state.terminated.exitCode, 0, 'the collector pushed everything and exited 0 on SIGTERM')
    }
  })

  test('Custom: the user\'s collector container reads the trial\'s file from the shared volume; its printed lines and its pushes are both stored', { timeout: 240_000 }, async () => {
    const name = `custom-${suffix}`
    const file = writeExperiment(name, '', `    source:
      fileSystemPath: {kind: File, path: /var/log/katib/metrics.log}
    collector:
      kind: Custom
      customCollector:
        name: my-collector
        image: registry.example/my-collector:1
        command: ["${process.execPath}", "${fixture('cluster-custom-collector.mjs')}"]
        args: [-path, /var/log/katib/metrics.log, -ready, /var/log/katib/.collector-ready]
        startupProbe:
          exec: {command: [test, -e, /var/log/katib/.collector-ready]}
          periodSeconds: 1
          failureThreshold: 60`, 2, [process.execPath, fixture('file-metrics.mjs'), '--x=${trialParameters.x}', '--log-path=/var/log/katib/metrics.log', '--steps=4', '--sleep-ms=100'])
    kube.clearRequests()
    const reportPort = await freePort()
    const result = await cli(['run', file, '--executor', 'kubernetes', '--report-url', `http://127.0.0.1:${reportPort}`])
    assert.equal(result.code, 0, result.stderr + result.stdout)
    const { record, trials, points } = await trialsOf(name)
    assert.equal(record.state, 'Succeeded')
    assert.equal(trials.length, 2)
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message ?? ''}`)
      // Both trials wrote the same absolute path, each in its own pod's volume: four lines loss=<x>.
      // loss: printed by the collector, read from its log (steps counted 0..3); accuracy: pushed with its steps.
      const x = Number(trial.params.x)
      assert.deepEqual(sorted(points.get(trial.name)!), [
        ...[0, 1, 2, 3].map((step) => ['accuracy', step, round(1 - x)] as const),
        ...[0, 1, 2, 3].map((step) => ['loss', step, round(x)] as const),
      ], trial.name)
      assert.equal(Number(trial.objective), x)

      const job = kube.object('jobs', kube.namespace, trial.name)!
      assert.ok(job.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Complete' && c.status === 'True'), JSON.stringify(job.status))
      const spec = job.spec.template.spec
      assert.deepEqual(spec.initContainers.map((c: { name: string }) => c.name), ['my-collector'])
      assert.equal(spec.shareProcessNamespace, true)
      const [pod] = kube.podsOf(kube.namespace, trial.name)
      assert.equal(pod?.status?.phase, 'Succeeded')
      const collector = pod!.status.initContainerStatuses.find((s: { name: string }) => s.name === 'my-collector')
      assert.equal(collector.state.terminated.exitCode, 0, 'stopped by SIGTERM once the trial ended, after reading the rest')
      // Its log (stdout and stderr) is kept beside the trial's output, as a local collector's is.
      const collectorLog = readFileSync(join(home, '.tunewell', 'runs', name, trial.name, 'collector.log'), 'utf8')
      assert.equal(collectorLog, `${Array(4).fill(`loss=${trial.params.x}`).join('\n')}\ncollector of ${trial.name} read 4 lines\n`)
    }
  })

  test('a Custom collector without an image is refused before anything runs, at its line', async () => {
    const name = `custom-noimage-${suffix}`
    const file = writeExperiment(name, '', `    collector:
      kind: Custom
      customCollector:
        name: my-collector
        command: [collect]`, 1, [process.execPath, fixture('file-metrics.mjs')])
    kube.clearRequests()
    const result = await cli(['run', file, '--executor', 'kubernetes'])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /:\d+:\d+.*customCollector has no image; on a cluster the Custom collector is a container in the trial's pod/)
    assert.equal(kube.requests.filter((r) => r.verb === 'create' && r.resource === 'jobs').length, 0)
  })
})
