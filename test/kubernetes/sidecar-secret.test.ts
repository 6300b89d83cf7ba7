import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubernetesExecutor } from '../../controller/kubernetes/kubernetes-executor.ts'
import { LaunchError, type ExitResult } from '../../controller/trial-executor.ts'
import type { Experiment } from '../../core/spec/index.ts'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'
import { jobExperiment, nodeScriptCommand } from '../helpers/job-experiment.ts'

/**
 * The push token of a trial that pushes, in a Secret of its own: created before the Job (its pod
 * reads it at start), then owned by the Job; a 409 adopts this trial's Secret (and brings it to
 * the current token) and refuses anyone else's, untouched.
 */

const TOKEN_CHECK = `console.log('token=' + (process.env.TUNEWELL_REPORT_TOKEN === 'fresh-token' ? 'current' : 'other') + ' url=' + process.env.TUNEWELL_REPORT_URL)`

describe('push tokens in Secrets', () => {
  let kube: FakeKube
  let runDir: string
  const executors: KubernetesExecutor[] = []
  let n = 0

  before(async () => {
    kube = await startFakeKube()
    runDir = mkdtempSync(join(tmpdir(), 'k8s-secret-'))
  })
  after(async () => {
    for (const executor of executors) executor.close()
    await kube.close()
    rmSync(runDir, { recursive: true, force: true })
  })

  function pushExperiment(name: string): Experiment {
    const experiment = jobExperiment({ name, maxTrials: 1, parallel: 1, image: 'docker.io/library/node:20', command: nodeScriptCommand(TOKEN_CHECK) })
    return { ...experiment, spec: { ...experiment.spec, metricsCollectorSpec: { collector: { kind: 'Push' } } } }
  }

  async function run(experiment: Experiment, trialName: string): Promise<{ result: ExitResult; lines: string[] }> {
    const executor = new KubernetesExecutor({ kubeConfig: kube.kubeConfig(), retryMs: 50, drainMs: 200, logWaitMs: 10_000, deletionWaitMs: 10_000 })
    executors.push(executor)
    const prepared = await executor.prepare({
      experiment,
      trial: { name: trialName, params: { lr: 0.05 } },
      checkpointDir: '',
      context: { baseDir: runDir, runDir, env: { TUNEWELL_REPORT_URL: 'http://tunewell.example:8081/trials/x/metrics', TUNEWELL_REPORT_TOKEN: 'fresh-token' } },
    })
    const lines: string[] = []
    const trial = await prepared.start((line) => lines.push(line))
    return { result: await trial.done, lines }
  }

  test('created before the Job, read by the pod, owned by the Job and gone with it; the Job holds only a reference', { timeout: 60_000 }, async () => {
    const name = `secret-push-${++n}`
    const trial = `${name}-abcd1234`
    kube.clearRequests()
    const { result, lines } = await run(pushExperiment(name), trial)
    assert.deepEqual(result, { phase: 'succeeded' })
    assert.deepEqual(lines, ['token=current url=http://tunewell.example:8081/trials/x/metrics'])
    const writes = kube.requests.filter((r) => ['create', 'patch'].includes(r.verb) && ['secrets', 'jobs'].includes(r.resource ?? ''))
    assert.deepEqual(writes.map((r) => `${r.verb} ${r.resource} ${r.code}`), ['create secrets 201', 'create jobs 201', 'patch secrets 200'])
    // The Job was deleted when the trial ended (no retain); the garbage collector took the Secret.
    await kube.waitFor('secrets', kube.namespace, `${trial}-report-token`, (o) => o === undefined, 10_000)
  })

  test('a 409: this trial\'s Secret from before is brought to the current token; another one of that name is refused, untouched, and no Job is created', { timeout: 60_000 }, async () => {
    const name = `secret-adopt-${++n}`
    const trial = `${name}-abcd1234`
    kube.create({
      apiVersion: 'v1', kind: 'Secret',
      metadata: { name: `${trial}-report-token`, namespace: kube.namespace, labels: { 'app.kubernetes.io/managed-by': 'tunewell', 'katib.kubeflow.org/trial': trial } },
      data: { token: Buffer.from('stale-token').toString('base64') },
    })
    const adopted = await run(pushExperiment(name), trial)
    assert.deepEqual(adopted.result, { phase: 'succeeded' })
    assert.deepEqual(adopted.lines, ['token=current url=http://tunewell.example:8081/trials/x/metrics'])

    const other = `secret-foreign-${++n}`
    const otherTrial = `${other}-abcd1234`
    kube.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${otherTrial}-report-token`, namespace: kube.namespace }, data: { token: Buffer.from('theirs').toString('base64') } })
    kube.clearRequests()
    const refused = await run(pushExperiment(other), otherTrial)
    assert.equal(refused.result.phase, 'failed')
    assert.match((refused.result as { message: string }).message, new RegExp(`cannot create the trial's Secret ${kube.namespace}/${otherTrial}-report-token: .*already exists and is not this trial's`))
    assert.equal(Buffer.from(kube.object('secrets', kube.namespace, `${otherTrial}-report-token`)!.data.token, 'base64').toString(), 'theirs')
    assert.equal(kube.requests.filter((r) => r.resource === 'jobs' && r.verb === 'create').length, 0)
  })

  test('on a cluster older than 1.29 (no native sidecars) a File trial is refused before anything is created', async () => {
    const executor = new KubernetesExecutor({ kubeConfig: kube.kubeConfig(), serverVersion: { major: '1', minor: '27' } })
    executors.push(executor)
    const experiment = pushExperiment(`secret-old-${++n}`)
    const file: Experiment = { ...experiment, spec: { ...experiment.spec, metricsCollectorSpec: { collector: { kind: 'File' }, source: { fileSystemPath: { kind: 'File', path: '/var/log/katib/metrics.log', format: 'TEXT' } } } } }
    kube.clearRequests()
    await assert.rejects(
      executor.prepare({ experiment: file, trial: { name: `${file.metadata.name}-abcd1234`, params: { lr: 0.05 } }, checkpointDir: '', context: { baseDir: runDir, runDir, env: { TUNEWELL_REPORT_URL: 'http://x:1/m', TUNEWELL_REPORT_TOKEN: 't' } } }),
      (error: unknown) => error instanceof LaunchError && /needs Kubernetes 1\.29 or later; this cluster is 1\.27/.test(error.message),
    )
    assert.deepEqual(kube.requests.filter((r) => r.verb === 'create'), [])
  })

  test('the fake kubelet: a pod whose Secret is missing waits in CreateContainerConfigError and starts once the Secret exists', { timeout: 60_000 }, async () => {
    const pod = kube.create({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `needs-secret-${++n}`, namespace: kube.namespace },
      spec: {
        restartPolicy: 'Never',
        containers: [{
          name: 'main', image: 'docker.io/library/node:20',
          command: [process.execPath, '-e', 'console.log("got " + process.env.TOKEN)'],
          env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'late-secret', key: 'token' } } }],
        }],
      },
    })
    const name = pod.metadata.name!
    const waiting = await kube.waitFor('pods', kube.namespace, name, (p) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError', 10_000)
    assert.equal(waiting?.status.containerStatuses[0].state.waiting.message, 'secret "late-secret" not found')
    kube.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'late-secret', namespace: kube.namespace }, data: { token: Buffer.from('s3cret').toString('base64') } })
    const done = await kube.waitFor('pods', kube.namespace, name, (p) => p?.status?.phase === 'Succeeded', 20_000)
    assert.equal(done?.status.phase, 'Succeeded')
    assert.equal(kube.podLog(kube.namespace, name).trim(), 'got s3cret')
  })
})
