import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseExecutorFlags } from '../../cli/create-executor.ts'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'
import { freePort } from '../helpers/free-port.ts'
import { startServe } from '../helpers/serve-process.ts'

/**
 * Katib's SDK on a cluster: `tunewell serve --executor kubernetes --report-url URL
 * --katib-grpc-port PORT` against the fake API server, whose kubelet runs each trial's Job as a
 * local process with the pod's environment (the Secret's token, `$(VAR)` expanded). The trial
 * calls report_metrics() unchanged (test/fixtures/katib-grpc/cluster_trial.py), which dials
 * katib-db-manager.kubeflow:6789 through the grpc_proxy the pod is given.
 *
 * Needs Debian's python3-grpcio and python3-protobuf (as test/api/katib-grpc-run.test.ts).
 */
const trialScript = fileURLToPath(new URL('../fixtures/katib-grpc/cluster_trial.py', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-k8s-grpc-'))
let kube: FakeKube

function findPython(): string | undefined {
  const candidates = [process.env.PYTHON?.trim(), '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c))
  return candidates.find((c) => spawnSync(c, ['-c', 'import grpc, google.protobuf'], { stdio: 'ignore' }).status === 0)
}
const python = findPython()
const required = process.env.TUNEWELL_GRPC_CLIENT === 'required'
if (required && !python) throw new Error('TUNEWELL_GRPC_CLIENT=required, but no Python 3 with grpc and protobuf was found (apt-get install python3-grpcio python3-protobuf)')

before(async () => {
  kube = await startFakeKube()
})
after(async () => {
  await kube.close()
  rmSync(home, { recursive: true, force: true })
})

function experimentYaml(name: string): string {
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective: {type: minimize, objectiveMetricName: loss, additionalMetricNames: [accuracy]}
  algorithm: {algorithmName: random}
  parallelTrialCount: 2
  maxTrialCount: 2
  metricsCollectorSpec:
    collector: {kind: Push}
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
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
                image: docker.io/kubeflowkatib/pytorch-mnist:latest
                command: ${JSON.stringify([python ?? 'python3', trialScript, '${trialParameters.x}'])}
`
}

type Json = Record<string, any>

describe("tunewell serve --executor kubernetes --katib-grpc-port: Katib's SDK in the trial's pod", { skip: python ? false : 'no Python 3 with grpc and protobuf (apt-get install python3-grpcio python3-protobuf)' }, () => {
  test("report_metrics() with its default address stores the trial's points; only its own, only with its credentials", { timeout: 400_000 }, async () => {
    const reportPort = await freePort()
    const grpcPort = await freePort()
    const server = await startServe(
      ['--home', home, '--no-dashboard', '--log-level', 'warn', '--executor', 'kubernetes', '--report-url', `http://127.0.0.1:${reportPort}`, '--katib-grpc-port', String(grpcPort)],
      180_000,
      { ...process.env, KUBECONFIG: kube.kubeconfigPath, TUNEWELL_EXECUTOR: '', TUNEWELL_REPORT_URL: '', TUNEWELL_KATIB_GRPC_PORT: '' },
    )
    try {
      const name = `k8s-grpc-${Date.now().toString(36)}`
      const created = await fetch(`${server.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: experimentYaml(name) })
      assert.equal(created.status, 201, await created.clone().text())
      let status: { state?: string } = {}
      const deadline = Date.now() + 180_000
      while (Date.now() < deadline && status.state !== 'Succeeded' && status.state !== 'Failed') {
        await new Promise((resolve) => setTimeout(resolve, 200))
        status = ((await (await fetch(`${server.url}/api/v1/experiments/${name}`)).json()) as { status: typeof status }).status
      }
      assert.equal(status.state, 'Succeeded', JSON.stringify(status))

      const trials = ((await (await fetch(`${server.url}/api/v1/experiments/${name}/trials`)).json()) as { items: Json[] }).items
      assert.equal(trials.length, 2)
      for (const trial of trials) {
        // The pod's log (a Push trial's log is not collected by the controller).
        const pod = kube.objects('pods', kube.namespace).find((p) => p.metadata?.labels?.['katib.kubeflow.org/trial'] === trial.name)
        assert.ok(pod, `the pod of ${trial.name}`)
        const log = kube.podLog(kube.namespace, pod.metadata!.name!)
        assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message}\n${log}`)
        const line = log.split('\n').find((l) => l.startsWith('RESULT '))
        assert.ok(line, log)
        const result = JSON.parse(line.slice('RESULT '.length)) as Json
        assert.deepEqual(result.other[0], 'PERMISSION_DENIED')
        assert.match(result.other[1], new RegExp(`${trial.name} may report and read only its own metrics`))
        // Straight to the port, not through the proxy: a bearer token or nothing.
        assert.equal(result.anonymous[0], 'UNAUTHENTICATED')
        assert.equal(result.bearer, 'OK')

        const x = Number(trial.params.x)
        const observations = (await (await fetch(`${server.url}/api/v1/experiments/${name}/trials/${trial.name}/observations`)).json()) as { metrics: { name: string; points: { step: number; value: number }[] }[] }
        const series = (metric: string) => observations.metrics.find((m) => m.name === metric)?.points ?? []
        const loss = series('loss')
        assert.deepEqual(loss.map((p) => p.step), [0, 1], JSON.stringify(observations))
        assert.ok(Math.abs(loss[0]!.value - ((x - 0.3) ** 2 + 1)) < 1e-9)
        assert.ok(Math.abs(loss[1]!.value - (x - 0.3) ** 2) < 1e-9)
        // The refused report (-1000) is nowhere; the direct one with the bearer token is.
        assert.deepEqual(series('accuracy').map((p) => [p.step, p.value]), [[0, 0.5]])
        assert.ok(Math.abs(Number(trial.objective) - (x - 0.3) ** 2) < 1e-9)
        // GetObservationLog, read by the trial after its reports.
        assert.deepEqual(result.log.map(([, metric, value]: string[]) => [metric, Number(value)]), loss.map((p) => ['loss', p.value]))

        // The token stands only in the trial's Secret: the Job's grpc_proxy reads it as $(TUNEWELL_REPORT_TOKEN).
        const job = kube.objects('jobs', kube.namespace).find((j) => j.metadata?.name === trial.name) as Json
        assert.ok(job, `the retained Job ${trial.name}`)
        const env = job.spec.template.spec.containers[0].env as Json[]
        assert.deepEqual(env.find((e) => e.name === 'grpc_proxy'), { name: 'grpc_proxy', value: `http://${trial.name}:$(TUNEWELL_REPORT_TOKEN)@127.0.0.1:${grpcPort}` })
        assert.deepEqual(env.find((e) => e.name === 'TUNEWELL_KATIB_DB_MANAGER_ADDRESS'), { name: 'TUNEWELL_KATIB_DB_MANAGER_ADDRESS', value: `127.0.0.1:${grpcPort}` })
        assert.doesNotMatch(JSON.stringify(job), /tw1\./)
      }
      assert.equal(await server.stop(), 0, server.output.err)
      assert.match(server.output.out, new RegExp(`Katib's gRPC API at 127\\.0\\.0\\.1:${grpcPort}`))
    } finally {
      await server.stop()
    }
  })
})

test('--katib-grpc-port: with the cluster executor and a report URL only, a port of its own', () => {
  const k = { executor: 'kubernetes' }
  assert.deepEqual(parseExecutorFlags({ ...k, reportUrl: 'http://10.0.0.5:8081', katibGrpcPort: '6789' }, {}), { kind: 'kubernetes', reportUrl: new URL('http://10.0.0.5:8081'), katibGrpcPort: 6789 })
  assert.deepEqual(parseExecutorFlags(k, { TUNEWELL_REPORT_URL: 'http://10.0.0.5:8081', TUNEWELL_KATIB_GRPC_PORT: '6789' }), { kind: 'kubernetes', reportUrl: new URL('http://10.0.0.5:8081'), katibGrpcPort: 6789 })
  assert.match(String(parseExecutorFlags({ katibGrpcPort: '6789' }, {})), /--katib-grpc-port only applies with --executor kubernetes/)
  assert.match(String(parseExecutorFlags({ ...k, katibGrpcPort: '6789' }, {})), /--katib-grpc-port needs --report-url \(TUNEWELL_REPORT_URL\)/)
  assert.match(String(parseExecutorFlags({ ...k, reportUrl: 'http://x:8081', katibGrpcPort: 'grpc' }, {})), /--katib-grpc-port must be a port number/)
  assert.match(String(parseExecutorFlags(k, { TUNEWELL_REPORT_URL: 'http://x:8081', TUNEWELL_KATIB_GRPC_PORT: '70000' })), /TUNEWELL_KATIB_GRPC_PORT must be a port number/)
  assert.match(String(parseExecutorFlags({ ...k, reportUrl: 'http://x:8081', katibGrpcPort: '8081' }, {})), /is the port of --report-url/)
})
