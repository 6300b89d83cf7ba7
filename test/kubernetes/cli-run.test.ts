import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseExecutorFlags } from '../../cli/create-executor.ts'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'
import { quadraticFixture } from '../helpers/experiment-yaml.ts'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'
import { startServe } from '../helpers/serve-process.ts'
import { freePort } from '../helpers/free-port.ts'

/**
 * `tunewell run FILE --executor kubernetes` as a user meets it: the CLI as a child process, its
 * kubeconfig from KUBECONFIG (the fake API server's), the trials as Jobs whose containers the
 * fake runs as local processes.
 */

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-k8s-cli-'))
const suffix = Date.now().toString(36)
const names: string[] = []
let kube: FakeKube

before(async () => {
  kube = await startFakeKube()
})
after(async () => {
  await deleteCliExperiments(home, names)
  await kube.close()
  rmSync(home, { recursive: true, force: true })
})

interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The CLI, asynchronously: the fake API server answers from this test's event loop. */
function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: home,
      env: { ...process.env, KUBECONFIG: kube.kubeconfigPath, TUNEWELL_EXECUTOR: '', TUNEWELL_REPORT_URL: '', ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

interface JobExperiment {
  readonly name: string
  readonly collector?: string
  /** The container's command; default the quadratic fixture with x and y. */
  readonly command?: readonly string[]
  readonly max?: number
}

/** An Experiment file whose trials are batch/v1 Jobs; returns its path. */
function writeExperiment(o: JobExperiment): string {
  const file = join(home, `${o.name}.yaml`)
  writeFileSync(file, experimentYaml(o))
  return file
}

function experimentYaml(o: JobExperiment): string {
  names.push(o.name)
  const command = o.command ?? [process.execPath, quadraticFixture, '--x=${trialParameters.x}', '--y=${trialParameters.y}']
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${o.name}
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
  algorithm:
    algorithmName: random
    algorithmSettings:
      - {name: random_state, value: "3"}
  parallelTrialCount: 2
  maxTrialCount: ${o.max ?? 3}
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: y, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
${o.collector ? `  metricsCollectorSpec:\n    collector:\n      kind: ${o.collector}\n` : ''}  trialTemplate:
    primaryContainerName: training
    trialParameters:
      - {name: x, reference: x}
      - {name: y, reference: y}
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
`
}

async function trialsOf(name: string) {
  return withCliStore(home, async (store) => {
    const record = await store.experiments.getByName(name)
    assert.ok(record, `experiment ${name} exists`)
    return { record, trials: await store.trials.list(record.id) }
  })
}

/** The Jobs the fake created (a repeated create would be a 409, not counted). */
function jobCreates(): string[] {
  return kube.requests.filter((r) => r.verb === 'create' && r.resource === 'jobs' && r.code === 201).map((r) => r.namespace ?? '')
}


describe('tunewell run --executor kubernetes', () => {
  test('runs the experiment with one Job per trial, objectives from the pods\' logs, exit 0', { timeout: 120_000 }, async () => {
    const name = `k8s-cli-${suffix}`
    const file = writeExperiment({ name })
    kube.clearRequests()
    const result = await cli(['run', file, '--executor', 'kubernetes'])
    assert.equal(result.code, 0, result.stderr + result.stdout)
    const { record, trials } = await trialsOf(name)
    assert.equal(record.state, 'Succeeded')
    assert.equal(trials.length, 3)
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message ?? ''}`)
      const x = Number(trial.params.x)
      const y = Number(trial.params.y)
      // The fixture's last line: loss = (x-0.3)^2 + (y-0.7)^2, printed with 6 decimals.
      assert.ok(Math.abs(Number(trial.objective) - ((x - 0.3) ** 2 + (y - 0.7) ** 2)) < 1e-5, `${trial.name}: objective ${trial.objective}`)
      // Its handle: the Job named after it, in the kubeconfig context's namespace.
      assert.deepEqual(trial.execution, { ...(trial.execution as object), kind: 'kubernetes', workloadKind: 'Job', namespace: kube.namespace, name: trial.name })
    }
    // One Job per trial, all in that namespace, and none left behind (retain is not set).
    assert.deepEqual(jobCreates(), trials.map(() => kube.namespace))
    assert.deepEqual(kube.objects('jobs', kube.namespace).filter((j) => j.metadata?.name?.startsWith(name)), [])
  })

  test('TUNEWELL_EXECUTOR=kubernetes does the same; Push metrics reach the controller at --report-url', { timeout: 120_000 }, async () => {
    const name = `k8s-cli-push-${suffix}`
    const program = `const x = Number(process.argv[1]); const res = await fetch(process.env.TUNEWELL_REPORT_URL, { method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer ' + process.env.TUNEWELL_REPORT_TOKEN },
  body: JSON.stringify({ metrics: { loss: (x - 0.3) ** 2 }, step: 0 }) }); if (res.status !== 204) process.exit(5)`
    const file = writeExperiment({ name, collector: 'Push', max: 2, command: [process.execPath, '--input-type=module', '-e', program, '${trialParameters.x}'] })
    kube.clearRequests()
    const port = await freePort()
    const result = await cli(['run', file], { TUNEWELL_EXECUTOR: 'kubernetes', TUNEWELL_REPORT_URL: `http://127.0.0.1:${port}` })
    assert.equal(result.code, 0, result.stderr + result.stdout)
    const { trials } = await trialsOf(name)
    assert.equal(trials.length, 2)
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message ?? ''}`)
      assert.ok(Math.abs(Number(trial.objective) - (Number(trial.params.x) - 0.3) ** 2) < 1e-9)
    }
    assert.deepEqual(jobCreates(), [kube.namespace, kube.namespace])
  })

  test('a Push experiment without a report URL is refused before anything runs: pods cannot reach a loopback port', async () => {
    const name = `k8s-cli-nourl-${suffix}`
    const file = writeExperiment({ name, collector: 'Push' })
    kube.clearRequests()
    const result = await cli(['run', file, '--executor', 'kubernetes'])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /--report-url \(TUNEWELL_REPORT_URL\)/)
    assert.match(result.stderr, new RegExp(`${name}\\.yaml:\\d+:\\d+ /spec/metricsCollectorSpec/collector/kind`))
    assert.deepEqual(jobCreates(), [])
  })

  test('an experiment the cluster cannot run (a Custom collector without an image) is refused with file:line:col, no Job created', async () => {
    const name = `k8s-cli-file-${suffix}`
    const file = writeExperiment({ name, collector: 'Custom' })
    writeFileSync(file, readFileSync(file, 'utf8').replace('kind: Custom\n', CUSTOM_WITHOUT_IMAGE))
    kube.clearRequests()
    const result = await cli(['run', file, '--executor', 'kubernetes'])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, new RegExp(`${name}\\.yaml:\\d+:\\d+ /spec/metricsCollectorSpec/collector\\S*: collector\\.customCollector has no image`))
    assert.doesNotMatch(result.stderr, /\n\s+at /)
    assert.deepEqual(jobCreates(), [])
  })

  test('a File collector on a cluster older than 1.29 (no native sidecars) is refused with file:line:col before anything is created', async () => {
    const old = await startFakeKube({ serverVersion: { major: '1', minor: '27' } })
    try {
      const name = `k8s-cli-old-${suffix}`
      const file = writeExperiment({ name, collector: 'File' })
      const result = await cli(['run', file, '--executor', 'kubernetes', '--report-url', `http://127.0.0.1:${await freePort()}`], { KUBECONFIG: old.kubeconfigPath })
      assert.equal(result.code, 2, result.stderr)
      assert.match(result.stderr, new RegExp(`${name}\\.yaml:\\d+:\\d+ /spec/metricsCollectorSpec.*1\\.29 or later; this cluster is 1\\.27`))
      assert.deepEqual(old.requests.filter((r) => r.verb === 'create'), [])
    } finally {
      await old.close()
    }
  })

  test('an unknown --executor (or TUNEWELL_EXECUTOR) is a usage error', async () => {
    const file = writeExperiment({ name: `k8s-cli-usage-${suffix}` })
    const flag = await cli(['run', file, '--executor', 'slurm'])
    assert.equal(flag.code, 2)
    assert.match(flag.stderr, /error: --executor must be one of local, kubernetes, got "slurm"/)
    const env = await cli(['run', file], { TUNEWELL_EXECUTOR: 'k8s' })
    assert.equal(env.code, 2)
    assert.match(env.stderr, /error: TUNEWELL_EXECUTOR must be one of local, kubernetes, got "k8s"/)
    const serve = await cli(['serve', '--port', '0', '--executor', 'slurm'])
    assert.equal(serve.code, 2)
    assert.match(serve.stderr, /--executor must be one of local, kubernetes/)
  })

  test('an unknown --context names the contexts the kubeconfig has', async () => {
    const file = writeExperiment({ name: `k8s-cli-context-${suffix}` })
    const result = await cli(['run', file, '--executor', 'kubernetes', '--context', 'production'])
    assert.equal(result.code, 2)
    assert.equal(result.stderr.trim(), 'error: no context "production" in the kubeconfig; it has "fake-kube"')
  })

  test('a cluster that does not answer, or no kubeconfig at all, is one line and exit 3', async () => {
    const file = writeExperiment({ name: `k8s-cli-unreachable-${suffix}` })
    const port = await freePort()
    const kubeconfig = join(home, 'unreachable-kubeconfig')
    writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{ name: gone, cluster: { server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: me, user: { token: abc } }]
contexts: [{ name: gone, context: { cluster: gone, user: me } }]
current-context: gone
`)
    const unreachable = await cli(['run', file, '--executor', 'kubernetes'], { KUBECONFIG: kubeconfig })
    assert.equal(unreachable.code, 3)
    assert.match(unreachable.stderr, new RegExp(`^error: the Kubernetes API server https://127\\.0\\.0\\.1:${port} \\(context "gone"\\) does not answer: .*ECONNREFUSED`))
    assert.equal(unreachable.stderr.trim().split('\n').length, 1, unreachable.stderr)

    const broken = join(home, 'broken-kubeconfig')
    writeFileSync(broken, 'clusters: [ {')
    const bad = await cli(['run', file, '--executor', 'kubernetes'], { KUBECONFIG: broken })
    assert.equal(bad.code, 3)
    assert.match(bad.stderr, /^error: cannot load the kubeconfig: /)
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr)
  })
})

test('the executor flags: the flag before its variable, a report URL only for the cluster and only as a bare http origin', () => {
  assert.deepEqual(parseExecutorFlags({}, {}), { kind: 'local' })
  assert.deepEqual(parseExecutorFlags({}, { TUNEWELL_EXECUTOR: 'kubernetes' }), { kind: 'kubernetes' })
  assert.deepEqual(parseExecutorFlags({ executor: 'local' }, { TUNEWELL_EXECUTOR: 'kubernetes', TUNEWELL_REPORT_URL: 'http://x:1' }), { kind: 'local' })
  const chosen = parseExecutorFlags({ executor: 'kubernetes', context: 'c', reportUrl: 'http://10.0.0.5:8081/' }, { TUNEWELL_REPORT_URL: 'http://ignored:1' })
  assert.ok(typeof chosen !== 'string')
  assert.equal(chosen.context, 'c')
  assert.equal(chosen.reportUrl?.origin, 'http://10.0.0.5:8081')
  assert.equal(parseExecutorFlags({ context: 'c' }, {}), '--context only applies with --executor kubernetes')
  assert.match(String(parseExecutorFlags({ reportUrl: 'http://x:1' }, {})), /--report-url only applies with --executor kubernetes/)
  assert.match(String(parseExecutorFlags({ executor: 'kubernetes', reportUrl: 'not a url' }, {})), /--report-url must be a URL/)
  assert.match(String(parseExecutorFlags({ executor: 'kubernetes' }, { TUNEWELL_REPORT_URL: 'http://x:1/prefix' })), /TUNEWELL_REPORT_URL must be an http URL with a host and a port and nothing after them/)
  assert.match(String(parseExecutorFlags({ executor: 'kubernetes', reportUrl: 'https://x:1' }, {})), /must be an http URL/)
})

/** A Custom collector a local run could start (a command) but a pod cannot (no image). */
const CUSTOM_WITHOUT_IMAGE = 'kind: Custom\n      customCollector:\n        name: my-collector\n        command: [cat]\n'

describe('tunewell serve --executor kubernetes', () => {
  test('runs a submitted experiment\'s trials as Jobs; refuses one the cluster cannot run, saying why', { timeout: 120_000 }, async () => {
    const server = await startServe(['--home', home, '--no-dashboard', '--log-level', 'warn', '--executor', 'kubernetes'], 60_000,
      { ...process.env, KUBECONFIG: kube.kubeconfigPath, TUNEWELL_EXECUTOR: '', TUNEWELL_REPORT_URL: '' })
    try {
      const submit = (yaml: string) => fetch(`${server.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yaml })
      const refused = await submit(experimentYaml({ name: `k8s-serve-file-${suffix}`, collector: 'Custom' }).replace('kind: Custom\n', CUSTOM_WITHOUT_IMAGE))
      assert.equal(refused.status, 422)
      assert.match(await refused.text(), /collector\.customCollector has no image/)

      const name = `k8s-serve-${suffix}`
      kube.clearRequests()
      const created = await submit(experimentYaml({ name }))
      assert.equal(created.status, 201, await created.clone().text())
      let status: { state?: string; trialsSucceeded?: number } = {}
      const deadline = Date.now() + 90_000
      while (Date.now() < deadline && status.state !== 'Succeeded' && status.state !== 'Failed') {
        await new Promise((resolve) => setTimeout(resolve, 200))
        status = ((await (await fetch(`${server.url}/api/v1/experiments/${name}`)).json()) as { status: typeof status }).status
      }
      assert.equal(status.state, 'Succeeded', JSON.stringify(status))
      assert.equal(status.trialsSucceeded, 3)
      assert.deepEqual(jobCreates(), [kube.namespace, kube.namespace, kube.namespace])
      assert.equal(await server.stop(), 0, server.output.err)
      assert.match(server.output.out, /trials: Kubernetes \(context "fake-kube", namespace "tunewell-test"/)
    } finally {
      await server.stop()
    }
  })
})
