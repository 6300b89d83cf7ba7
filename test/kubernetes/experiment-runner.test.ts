import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ExperimentRunner } from '../../controller/experiment-runner.ts'
import { KubernetesExecutor } from '../../controller/kubernetes/kubernetes-executor.ts'
import type { KubernetesHandle } from '../../controller/kubernetes/kubernetes-handle.ts'
import { parseExperimentYaml } from '../../core/spec/index.ts'
import type { Store } from '../../db/store.ts'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'
import { openTestStore } from '../helpers/test-store.ts'

/** A whole experiment run by the ExperimentRunner with its trials as Jobs on the fake API server. */

let store: Store
let kube: FakeKube
const home = mkdtempSync(join(tmpdir(), 'tunewell-k8s-runner-'))

before(async () => {
  ;[store, kube] = await Promise.all([openTestStore(), startFakeKube()])
})
after(async () => {
  await Promise.all([store.destroy(), kube.close()])
  rmSync(home, { recursive: true, force: true })
})

const PROGRAM = `const lr = Number(process.argv.find((a) => a.startsWith('--lr=')).slice(5))
for (let step = 1; step <= 3; step++) console.log('loss=' + ((lr - 0.05) ** 2 + 1 / step / 1000))`

test('an experiment runs to Succeeded with its trials as Jobs: one Job per trial, objectives from the pods\' logs, no Job left behind', async () => {
  const parsed = parseExperimentYaml(`apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: { name: k8s-random }
spec:
  objective: { type: minimize, objectiveMetricName: loss }
  algorithm: { algorithmName: random }
  maxTrialCount: 4
  parallelTrialCount: 2
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: { min: "0.01", max: "0.1" }
  trialTemplate:
    primaryContainerName: training
    trialParameters:
      - name: learningRate
        reference: lr
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
                command: [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(PROGRAM)}, "--", "--lr=\${trialParameters.learningRate}"]
`)
  assert.deepEqual(parsed.issues, [])
  const experiment = parsed.experiment!
  const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 5 })
  const executor = new KubernetesExecutor({ kubeConfig: kube.kubeConfig(), retryMs: 50, drainMs: 200 })
  kube.clearRequests()
  try {
    const runner = new ExperimentRunner({
      store,
      suggestions: new SuggestionService(store),
      executor,
      launch: { baseDir: home, runDir: join(home, 'runs'), env: {} },
      pollMs: 50,
    })
    const done = await runner.run(record.id)
    assert.equal(done.state, 'Succeeded')
    assert.equal(done.reason, 'ExperimentMaxTrialsReached')
    const trials = await store.trials.list(record.id)
    assert.equal(trials.length, 4)
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message}`)
      const expected = (Number(trial.params.lr) - 0.05) ** 2 + 1 / 3 / 1000
      assert.ok(Math.abs(trial.objective! - expected) < 1e-9, `${trial.name}: ${trial.objective} vs ${expected}`)
      const handle = trial.execution as KubernetesHandle
      assert.deepEqual([handle.kind, handle.workloadKind, handle.namespace, handle.name], ['kubernetes', 'Job', 'tunewell-test', trial.name])
      assert.equal((await store.observations.list(trial.id, ['loss'])).length, 3)
    }
    const creates = kube.requests.filter((r) => r.verb === 'create' && r.resource === 'jobs')
    assert.deepEqual(creates.map((r) => [r.name ?? '', r.code]).sort(), trials.map((t) => ['', 201]).sort())
    assert.deepEqual(kube.objects('jobs', 'tunewell-test').filter((j) => j.metadata.labels?.['katib.kubeflow.org/experiment'] === 'k8s-random'), [])
  } finally {
    executor.close()
  }
})
