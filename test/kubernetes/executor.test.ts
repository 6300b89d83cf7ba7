import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseExperimentYaml, type Experiment } from '../../core/spec/index.ts'
import { KubernetesExecutor, type KubernetesExecutorOptions } from '../../controller/kubernetes/kubernetes-executor.ts'
import type { KubernetesHandle } from '../../controller/kubernetes/kubernetes-handle.ts'
import { LaunchError, type ExitResult, type RunningTrial } from '../../controller/trial-executor.ts'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'
import { jobExperiment, nodeScriptCommand } from '../helpers/job-experiment.ts'

/**
 * The KubernetesExecutor against the fake API server (test/helpers/fake-kube): real HTTPS, the
 * real client-node, Jobs whose container command runs as a local process.
 */

/** A Job experiment whose trial runs `node -e <script>` in its primary container. */
function jobExperimentOf(name: string, script: string, options: { namespace?: string; backoffLimit?: number; extraJobSpec?: string; restartPolicy?: string } = {}): Experiment {
  return jobExperiment({
    name, namespace: options.namespace ?? 'tunewell-test', maxTrials: 2, parallel: 1, image: 'docker.io/library/node:20',
    command: nodeScriptCommand(script),
    ...(options.backoffLimit === undefined ? {} : { backoffLimit: options.backoffLimit }),
    ...(options.extraJobSpec === undefined ? {} : { extraJobSpec: options.extraJobSpec }),
    ...(options.restartPolicy === undefined ? {} : { restartPolicy: options.restartPolicy }),
  })
}

const PRINT_LOSS = `const lr = process.argv.find((a) => a.startsWith('--lr='))
for (let i = 1; i <= 3; i++) console.log('epoch=' + i + ' loss=' + (1 / i) + ' ' + lr)
console.log('trial=' + process.env.TUNEWELL_TRIAL_NAME + ' url=' + process.env.TUNEWELL_REPORT_URL)`

describe('KubernetesExecutor on the fake API server', () => {
  let kube: FakeKube
  let runDir: string
  const executors: KubernetesExecutor[] = []
  let trialNumber = 0

  const newExecutor = (options: Partial<KubernetesExecutorOptions> = {}) => {
    const executor = new KubernetesExecutor({ kubeConfig: kube.kubeConfig(), retryMs: 50, drainMs: 200, logWaitMs: 10_000, deletionWaitMs: 10_000, ...options })
    executors.push(executor)
    return executor
  }

  async function launch(executor: KubernetesExecutor, experiment: Experiment, trialName?: string): Promise<{ trial: RunningTrial; lines: string[]; name: string }> {
    const name = trialName ?? `${experiment.metadata.name}-t${String(++trialNumber).padStart(7, '0')}`
    const prepared = await executor.prepare({
      experiment,
      trial: { name, params: { lr: 0.05 } },
      checkpointDir: '',
      context: { baseDir: runDir, runDir, env: { TUNEWELL_REPORT_URL: 'http://tunewell.example/report', TUNEWELL_REPORT_TOKEN: 't0ken' } },
    })
    const lines: string[] = []
    const trial = await prepared.start((line) => lines.push(line))
    return { trial, lines, name }
  }

  const failed = (result: ExitResult) => {
    assert.equal(result.phase, 'failed', JSON.stringify(result))
    return result as Extract<ExitResult, { phase: 'failed' }>
  }

  before(async () => {
    kube = await startFakeKube()
    runDir = mkdtempSync(join(tmpdir(), 'k8s-executor-'))
  })

  after(async () => {
    for (const executor of executors) executor.close()
    await kube.close()
    rmSync(runDir, { recursive: true, force: true })
  })

  test('a Job trial that prints loss lines succeeds, its lines arrive in order, and its Job is deleted afterwards', async () => {
    const executor = newExecutor()
    const { trial, lines, name } = await launch(executor, jobExperimentOf('ok', PRINT_LOSS))
    const handle = trial.handle as KubernetesHandle
    assert.deepEqual({ ...handle, uid: undefined }, { kind: 'kubernetes', apiVersion: 'batch/v1', workloadKind: 'Job', namespace: 'tunewell-test', name, uid: undefined })
    assert.match(handle.uid, /\S/)
    assert.deepEqual(await trial.done, { phase: 'succeeded' })
    assert.deepEqual(lines, [
      'epoch=1 loss=1 --lr=0.05',
      'epoch=2 loss=0.5 --lr=0.05',
      'epoch=3 loss=0.3333333333333333 --lr=0.05',
      `trial=${name} url=http://tunewell.example/report`,
    ])
    assert.equal(kube.object('jobs', 'tunewell-test', name), undefined, 'not retained')
  })

  test('a PyTorchJob goes through the generic object API: the master\'s log is the trial\'s, the workers\' is not', async () => {
    // The script in double quotes: Katib runs the StdOut collector's command as one `sh -c` line, and so does the pod's argv.
    const replica = (script: string) => `
            replicas: 1
            restartPolicy: OnFailure
            template:
              spec:
                containers:
                  - name: pytorch
                    image: docker.io/pytorch/pytorch:2
                    command: [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(`"${script}"`)}, "--", "--lr=\${trialParameters.learningRate}"]`
    const parsed = parseExperimentYaml(`apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: { name: torch, namespace: tunewell-test }
spec:
  objective: { type: maximize, objectiveMetricName: accuracy }
  algorithm: { algorithmName: random }
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: { min: "0.01", max: "0.1" }
  trialTemplate:
    primaryContainerName: pytorch
    trialParameters:
      - name: learningRate
        reference: lr
    trialSpec:
      apiVersion: kubeflow.org/v1
      kind: PyTorchJob
      spec:
        pytorchReplicaSpecs:
          Master:${replica("console.log('accuracy=0.9 ' + process.argv.at(-1))")}
          Worker:${replica("console.log('worker says accuracy=0.1')")}
`)
    assert.deepEqual(parsed.issues, [])
    kube.clearRequests()
    const { trial, lines, name } = await launch(newExecutor(), parsed.experiment!)
    assert.equal((trial.handle as KubernetesHandle).workloadKind, 'PyTorchJob')
    assert.deepEqual(await trial.done, { phase: 'succeeded' })
    assert.deepEqual(lines, ['accuracy=0.9 --lr=0.05'])
    assert.ok(kube.requests.some((r) => r.verb === 'create' && r.resource === 'pytorchjobs' && r.code === 201))
    assert.equal(kube.object('pytorchjobs', 'tunewell-test', name), undefined, 'not retained')
  })

  test('operator mode: the workload is owned by its Experiment resource, and goes when the Experiment is deleted', async () => {
    const experiment = jobExperimentOf('owned', 'setInterval(() => console.log("loss=1"), 50)')
    const resource = kube.create({ apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', metadata: { name: 'owned', namespace: 'tunewell-test' }, spec: experiment.spec })
    const owner = { apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', name: 'owned', uid: String(resource.metadata.uid) }
    const { trial, lines, name } = await launch(newExecutor({ ownerOf: (e) => (e.metadata.name === 'owned' ? owner : undefined) }), experiment)
    while (lines.length === 0) await new Promise((r) => setTimeout(r, 10))
    assert.deepEqual(kube.object('jobs', 'tunewell-test', name)?.metadata.ownerReferences, [{ ...owner, controller: true, blockOwnerDeletion: true }])
    kube.remove('experiments', 'tunewell-test', 'owned', 'Background')
    const result = failed(await trial.done)
    assert.equal(result.reason, 'WorkloadDeleted')
    assert.equal(kube.object('jobs', 'tunewell-test', name), undefined)
  })

  test('trials running at once share one list + watch of Jobs and one of pods', async () => {
    const executor = newExecutor()
    const experiment = jobExperimentOf('shared', `setTimeout(() => console.log('loss=0.5'), 400)`)
    kube.clearRequests()
    const trials = await Promise.all([launch(executor, experiment), launch(executor, experiment), launch(executor, experiment)])
    for (const { trial } of trials) assert.deepEqual(await trial.done, { phase: 'succeeded' })
    for (const { lines } of trials) assert.deepEqual(lines, ['loss=0.5'])
    const count = (verb: string, resource: string) => kube.requests.filter((r) => r.verb === verb && r.resource === resource).length
    // Pods: the shared list, and a trial's own read of its pods when it ends only if the Job's end
    // came before the pod watch showed its pod (pods-accounted.ts; a watch is recorded only when the server ends it).
    assert.equal(count('list', 'jobs'), 1)
    assert.ok(count('list', 'pods') >= 1 && count('list', 'pods') <= 1 + trials.length, `${count('list', 'pods')} lists of pods`)
  })

  test('a trial whose program fails ends Failed with the Job\'s reason and the container\'s exit', async () => {
    const { trial } = await launch(newExecutor(), jobExperimentOf('fails', 'console.log("loss=1"); process.exit(3)'))
    const result = failed(await trial.done)
    assert.equal(result.reason, 'BackoffLimitExceeded')
    assert.match(result.message, /backoff limit/)
    assert.match(result.message, /exit code 3/)
  })

  test('OOMKilled, an image that cannot be pulled and a deadline fail the trial with Kubernetes\' reasons', async () => {
    const executor = newExecutor()
    const oom = jobExperimentOf('oom', 'setInterval(() => console.log("loss=1"), 50)')
    const remove = [
      kube.scriptPods('oom-*', { kind: 'oomKilled', afterMs: 100 }),
      kube.scriptPods('pull-*', { kind: 'imagePullError' }),
      kube.scriptPods('late-*', { kind: 'deadlineExceeded' }),
    ]
    try {
      const [a, b, c] = await Promise.all([
        launch(executor, oom),
        launch(executor, jobExperimentOf('pull', PRINT_LOSS)),
        launch(executor, jobExperimentOf('late', 'setInterval(() => {}, 1000)', { extraJobSpec: '        activeDeadlineSeconds: 600\n' })),
      ])
      const oomResult = failed(await a.trial.done)
      assert.match(oomResult.message, /OOMKilled/)
      const pull = failed(await b.trial.done)
      assert.equal(pull.reason, 'ImagePullBackOff')
      assert.match(pull.message, /node:20/)
      assert.equal(kube.object('jobs', 'tunewell-test', b.name), undefined, 'a Job that can never run is deleted')
      const late = failed(await c.trial.done)
      assert.equal(late.reason, 'DeadlineExceeded')
    } finally {
      for (const r of remove) r()
    }
  })

  test('stop deletes the Job with its pods; the trial ends with the stop\'s reason', async () => {
    const { trial, lines, name } = await launch(newExecutor(), jobExperimentOf('stops', 'setInterval(() => console.log("loss=1"), 20)'))
    while (lines.length === 0) await new Promise((r) => setTimeout(r, 20))
    trial.stop('Killed')
    trial.stop('Killed')
    const result = failed(await trial.done)
    assert.equal(result.reason, 'Killed')
    assert.equal(kube.object('jobs', 'tunewell-test', name), undefined)
    await kube.waitFor('pods', 'tunewell-test', kube.podsOf('tunewell-test', name)[0]?.metadata.name ?? 'none', (pod) => pod === undefined)
    assert.deepEqual(kube.podsOf('tunewell-test', name), [])
  })

  test('a start repeated after a crash adopts the existing Job: one Job, every line, one outcome', async () => {
    const experiment = jobExperimentOf('adopt', `${PRINT_LOSS}; setTimeout(() => {}, 300)`)
    const first = newExecutor()
    const before = await launch(first, experiment)
    // The controller dies: nothing of it follows the Job any more.
    first.close()
    kube.clearRequests()
    const again = await launch(newExecutor(), experiment, before.name)
    assert.equal((again.trial.handle as KubernetesHandle).uid, (before.trial.handle as KubernetesHandle).uid)
    const creates = kube.requests.filter((r) => r.verb === 'create' && r.resource === 'jobs')
    assert.deepEqual(creates.map((r) => r.code), [409])
    assert.deepEqual(await again.trial.done, { phase: 'succeeded' })
    assert.equal(again.lines.filter((l) => l.startsWith('epoch=')).length, 3)
    assert.equal(kube.podsOf('tunewell-test', before.name).length <= 1, true)
  })

  test('a relaunch after stopOrphan reads only its own pod, not the earlier attempt\'s that is still terminating', async () => {
    // Ignores SIGTERM, so its pod outlives its deleted Job for a while, printing.
    const script = `process.on('SIGTERM', () => {}); let i = 0; console.log('pid=' + process.pid)
setInterval(() => { console.log('pid=' + process.pid); if (++i >= 4) process.exit(0) }, 150)`
    const experiment = jobExperimentOf('again', script)
    const first = newExecutor()
    const old = await launch(first, experiment)
    while (old.lines.length === 0) await new Promise((r) => setTimeout(r, 10))
    first.close()
    const second = newExecutor()
    assert.equal(await second.stopOrphan({ name: old.name, execution: old.trial.handle }, { baseDir: runDir, runDir, env: {} }), true)
    const again = await launch(second, experiment, old.name)
    assert.notEqual((again.trial.handle as KubernetesHandle).uid, (old.trial.handle as KubernetesHandle).uid)
    assert.deepEqual(await again.trial.done, { phase: 'succeeded' })
    assert.equal(again.lines.length, 5)
    assert.equal(new Set(again.lines).size, 1, 'one process printed them all')
    assert.notEqual(again.lines[0], old.lines[0])
  })

  test('attach follows the Job a stored handle names again, its log from the start, without creating one; another uid or none is nothing to attach to', async () => {
    const experiment = jobExperimentOf('attach', `${PRINT_LOSS}; setTimeout(() => {}, 400)`)
    const first = newExecutor()
    const before = await launch(first, experiment)
    // The controller dies: nothing of it follows the Job any more.
    first.close()
    kube.clearRequests()
    const second = newExecutor()
    const request = {
      experiment,
      trial: { name: before.name, params: { lr: 0.05 } },
      checkpointDir: '',
      context: { baseDir: runDir, runDir, env: {} },
    }
    assert.equal(await second.attach({ name: before.name, execution: { ...before.trial.handle, uid: 'another-uid' } }, request), undefined)
    assert.equal(await second.attach({ name: before.name, execution: null }, request), undefined)
    const attached = await second.attach({ name: before.name, execution: before.trial.handle }, request)
    assert.ok(attached)
    const lines: string[] = []
    const trial = await attached.start((line) => lines.push(line))
    assert.deepEqual(trial.handle, before.trial.handle)
    assert.deepEqual(await trial.done, { phase: 'succeeded' })
    assert.deepEqual(lines.filter((l) => l.startsWith('epoch=')).map((l) => l.split(' ')[0]), ['epoch=1', 'epoch=2', 'epoch=3'])
    assert.deepEqual(kube.requests.filter((r) => r.verb === 'create' && r.resource === 'jobs'), [])
    // Finished and deleted: nothing to attach to any more.
    assert.equal(await newExecutor().attach({ name: before.name, execution: before.trial.handle }, request), undefined)
  })

  test('attach to a container the kubelet restarted meanwhile reads its previous run first: every line, in the order printed', async () => {
    // The pod's folder survives restarts: the first run prints two lines and fails, the second prints two more, slowly.
    const flaky = `const fs = require('fs'); const n = fs.existsSync('n') ? Number(fs.readFileSync('n', 'utf8')) : 0; fs.writeFileSync('n', String(n + 1))
if (n === 0) { console.log('loss=1'); console.log('loss=0.9'); process.exit(1) }
console.log('loss=0.5'); setTimeout(() => { console.log('loss=0.4') }, 600)`
    const experiment = jobExperimentOf('attach-restarted', flaky, { backoffLimit: 3, restartPolicy: 'OnFailure' })
    const first = newExecutor()
    const before = await launch(first, experiment)
    const restarts = () => Number(kube.podsOf('tunewell-test', before.name)[0]?.status?.containerStatuses?.[0]?.restartCount ?? 0)
    while (restarts() < 1) await new Promise((r) => setTimeout(r, 10))
    first.close()
    const attached = await newExecutor().attach({ name: before.name, execution: before.trial.handle }, {
      experiment,
      trial: { name: before.name, params: { lr: 0.05 } },
      checkpointDir: '',
      context: { baseDir: runDir, runDir, env: {} },
    })
    assert.ok(attached)
    const lines: string[] = []
    const trial = await attached.start((line) => lines.push(line))
    assert.deepEqual(await trial.done, { phase: 'succeeded' })
    assert.deepEqual(lines, ['loss=1', 'loss=0.9', 'loss=0.5', 'loss=0.4'])
  })

  test('stopOrphan deletes the Job a stored handle names, only that one, and says whether it was there', async () => {
    const experiment = jobExperimentOf('orphan', 'setInterval(() => {}, 1000)')
    const first = newExecutor()
    const { trial, name } = await launch(first, experiment)
    first.close()
    const second = newExecutor()
    const context = { baseDir: runDir, runDir, env: {} }
    assert.equal(await second.stopOrphan({ name, execution: { ...trial.handle, uid: 'another-uid' } }, context), false, 'another object of that name is left alone')
    assert.ok(kube.object('jobs', 'tunewell-test', name))
    assert.equal(await second.stopOrphan({ name, execution: trial.handle }, context), true)
    assert.equal(kube.object('jobs', 'tunewell-test', name), undefined)
    assert.equal(await second.stopOrphan({ name, execution: trial.handle }, context), false)
    assert.equal(await second.stopOrphan({ name, execution: { kind: 'local', pid: 1 } }, context), false)
    assert.equal(await second.stopOrphan({ name, execution: null }, context), false)
  })

  test('refusals fail the trial with Kubernetes\' own message: 403 (RBAC), 404 (namespace), 422 (invalid)', async () => {
    const executor = newExecutor()
    const unforbid = kube.forbid('create', 'jobs')
    try {
      const forbidden = failed(await (await launch(executor, jobExperimentOf('rbac', PRINT_LOSS))).trial.done)
      assert.equal(forbidden.reason, 'Forbidden')
      assert.match(forbidden.message, /jobs\.batch is forbidden/)
    } finally {
      unforbid()
    }
    const missing = failed(await (await launch(executor, jobExperimentOf('nons', PRINT_LOSS, { namespace: 'no-such-namespace' }))).trial.done)
    assert.equal(missing.reason, 'NotFound')
    assert.match(missing.message, /namespaces "no-such-namespace" not found/)
    // A placeholder where an integer goes: validate only warns (it cannot know the value), and it
    // renders as a string, which the API server's schema validation refuses (422 Invalid).
    const invalid = failed(await (await launch(executor, jobExperimentOf('bad', PRINT_LOSS, { extraJobSpec: '        completions: ${trialParameters.learningRate}\n' }))).trial.done)
    assert.equal(invalid.reason, 'Invalid')
    assert.match(invalid.message, /is invalid/)
  })

  test('a configMap trialTemplate source is read from the cluster; a missing one is a LaunchError that names it', async () => {
    const template = `apiVersion: batch/v1
kind: Job
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: training-container
          image: docker.io/library/node:20
          command: [${JSON.stringify(process.execPath)}, "-e", "\\"console.log('loss=' + process.argv.at(-1))\\"", "--", "\${trialParameters.learningRate}"]
`
    kube.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'trial-templates', namespace: 'tunewell-test' }, data: { 'defaultTrialTemplate.yaml': template } })
    const experimentWith = (configMapName: string) => {
      const parsed = parseExperimentYaml(`apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: { name: from-cm, namespace: tunewell-test }
spec:
  objective: { type: minimize, objectiveMetricName: loss }
  algorithm: { algorithmName: random }
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: { min: "0.01", max: "0.1" }
  trialTemplate:
    primaryContainerName: training-container
    successCondition: status.conditions.#(type=="Complete")#|#(status=="True")#
    failureCondition: status.conditions.#(type=="Failed")#|#(status=="True")#
    trialParameters:
      - name: learningRate
        reference: lr
    configMap:
      configMapName: ${configMapName}
      configMapNamespace: tunewell-test
      templatePath: defaultTrialTemplate.yaml
`)
      assert.deepEqual(parsed.issues, [])
      return parsed.experiment!
    }
    const executor = newExecutor()
    const { trial, lines } = await launch(executor, experimentWith('trial-templates'))
    assert.deepEqual(await trial.done, { phase: 'succeeded' })
    assert.deepEqual(lines, ['loss=0.05'])
    await assert.rejects(launch(executor, experimentWith('no-such-templates')), (e: unknown) => e instanceof LaunchError && /ConfigMap tunewell-test\/no-such-templates or its key "defaultTrialTemplate.yaml"/.test(e.message))
  })

  test('a File metrics collector whose sidecar could not reach the controller (no report URL) is a LaunchError, not a trial without metrics', async () => {
    const experiment = jobExperimentOf('file-metrics', PRINT_LOSS)
    const withFile: Experiment = { ...experiment, spec: { ...experiment.spec, metricsCollectorSpec: { collector: { kind: 'File' }, source: { fileSystemPath: { path: '/var/log/katib/metrics.log', kind: 'File' } } } } }
    kube.clearRequests()
    const request = { experiment: withFile, trial: { name: 'file-metrics-t0000001', params: { lr: 0.05 } }, checkpointDir: '', context: { baseDir: runDir, runDir, env: {} } }
    await assert.rejects(newExecutor().prepare(request), (e: unknown) => e instanceof LaunchError && /collector kind File pushes the metrics from a sidecar .* set --report-url/.test(e.message))
    assert.equal(kube.requests.filter((r) => r.verb === 'create').length, 0)
  })

  test('a kind the cluster does not serve fails the trial with a message that says so', async () => {
    const parsed = parseExperimentYaml(`apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: { name: argo, namespace: tunewell-test }
spec:
  objective: { type: minimize, objectiveMetricName: loss }
  algorithm: { algorithmName: random }
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: { min: "0.01", max: "0.1" }
  trialTemplate:
    primaryContainerName: main
    successCondition: status.[@this].#(phase=="Succeeded")#
    failureCondition: status.[@this].#(phase=="Failed")#
    trialParameters:
      - name: learningRate
        reference: lr
    trialSpec:
      apiVersion: argoproj.io/v1alpha1
      kind: Workflow
      spec:
        entrypoint: train
        templates:
          - name: train
            container: { image: python:3, command: [python3, -c, "print('\${trialParameters.learningRate}')"] }
`)
    assert.deepEqual(parsed.issues, [])
    const result = failed(await (await launch(newExecutor(), parsed.experiment!)).trial.done)
    assert.equal(result.reason, 'UnknownKind')
    assert.match(result.message, /serves no Workflow in argoproj\.io\/v1alpha1/)
  })

  test('dropped watches and 410 Gone on resuming lose no state change and no line', async () => {
    const executor = newExecutor()
    // Watches break after one event, and the server keeps no history to resume from: every
    // resume meets 410 Gone and relists (test/kubernetes-unit/shared-watch.test.ts checks each step).
    kube.setWatchWindow(0)
    const undrop = kube.dropWatches({ afterEvents: 1, times: 6 })
    try {
      const { trial, lines } = await launch(executor, jobExperimentOf('drops', `${PRINT_LOSS}; setTimeout(() => console.log('loss=0.25'), 300)`))
      assert.deepEqual(await trial.done, { phase: 'succeeded' })
      assert.deepEqual(lines.filter((l) => l.startsWith('epoch=') || l.startsWith('loss=')), [
        'epoch=1 loss=1 --lr=0.05',
        'epoch=2 loss=0.5 --lr=0.05',
        'epoch=3 loss=0.3333333333333333 --lr=0.05',
        'loss=0.25',
      ])
    } finally {
      undrop()
      kube.setWatchWindow(10_000)
    }
  })
})
