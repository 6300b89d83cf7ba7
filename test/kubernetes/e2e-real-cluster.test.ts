import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BatchV1Api, KubeConfig } from '@kubernetes/client-node'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'

/**
 * Opt-in end-to-end test against a real cluster (docs/kubernetes.md, "End-to-end test against a
 * real cluster"): `tunewell run --executor kubernetes` as a user runs it, its trials Jobs on the
 * cluster that TUNEWELL_E2E_KUBECONFIG names, their metrics read from the pods' logs. Skipped
 * unless that variable is set, so CI and these machines (which have no cluster) skip it.
 *
 *   kind create cluster --name tunewell-e2e
 *   kind get kubeconfig --name tunewell-e2e > /tmp/tunewell-e2e.kubeconfig
 *   TUNEWELL_E2E_KUBECONFIG=/tmp/tunewell-e2e.kubeconfig node --import tsx --test test/kubernetes/e2e-real-cluster.test.ts
 *
 * Optional: TUNEWELL_E2E_CONTEXT (default: the kubeconfig's current context),
 * TUNEWELL_E2E_NAMESPACE (default `default`; it must exist), TUNEWELL_E2E_IMAGE (default
 * busybox:1.36; any image with `sh` and `awk`, pulled by the cluster's nodes).
 */

const kubeconfigPath = process.env.TUNEWELL_E2E_KUBECONFIG ?? ''
const SKIP = kubeconfigPath === ''
  ? 'set TUNEWELL_E2E_KUBECONFIG to a kubeconfig of a cluster to run trials on (e.g. `kind create cluster` then `kind get kubeconfig > FILE`); see docs/kubernetes.md, "End-to-end test against a real cluster"'
  : false
const namespace = process.env.TUNEWELL_E2E_NAMESPACE || 'default'
const image = process.env.TUNEWELL_E2E_IMAGE || 'busybox:1.36'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const suffix = Date.now().toString(36)

/** Three lines `loss=...` per trial, the last (lr - 0.05)^2 + 1/3000, printed with six decimals. */
const TRAIN = 'for i in 1 2 3; do awk -v lr="${trialParameters.learningRate}" -v i="$i" \'BEGIN { printf "loss=%f\\n", (lr - 0.05) ^ 2 + 1 / i / 1000 }\'; sleep 1; done'

function experimentYaml(name: string, o: { readonly max: number; readonly retain: boolean }): string {
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  objective: { type: minimize, objectiveMetricName: loss }
  algorithm:
    algorithmName: random
    algorithmSettings: [{ name: random_state, value: "7" }]
  maxTrialCount: ${o.max}
  parallelTrialCount: 2
  maxFailedTrialCount: 1
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: { min: "0.01", max: "0.1" }
  trialTemplate:
    primaryContainerName: training
    retain: ${o.retain}
    trialParameters:
      - { name: learningRate, reference: lr }
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
                image: ${image}
                command: ["sh", "-c", ${JSON.stringify(TRAIN)}]
`
}

interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

describe('tunewell run --executor kubernetes against a real cluster (TUNEWELL_E2E_KUBECONFIG)', { skip: SKIP }, () => {
  let home = ''
  let kc: KubeConfig
  let context = ''
  const names: string[] = []

  const cli = (args: readonly string[]): Promise<Result> => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: home,
      env: { ...process.env, KUBECONFIG: kubeconfigPath, TUNEWELL_EXECUTOR: '', TUNEWELL_REPORT_URL: '' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })

  /** The Jobs of an experiment on the cluster, by Katib's label. */
  const jobsOf = async (experiment: string): Promise<string[]> => {
    const list = await kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace, labelSelector: `katib.kubeflow.org/experiment=${experiment}` })
    return list.items.filter((job) => !job.metadata?.deletionTimestamp).map((job) => job.metadata?.name ?? '').sort()
  }

  const run = async (name: string, o: { readonly max: number; readonly retain: boolean }) => {
    names.push(name)
    const file = join(home, `${name}.yaml`)
    writeFileSync(file, experimentYaml(name, o))
    const result = await cli(['run', file, '--executor', 'kubernetes', '--context', context])
    assert.equal(result.code, 0, result.stderr + result.stdout)
    return withCliStore(home, async (store) => {
      const record = await store.experiments.getByName(name)
      assert.ok(record, `experiment ${name} exists`)
      return { record, trials: await store.trials.list(record.id) }
    })
  }

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'tunewell-e2e-'))
    kc = new KubeConfig()
    kc.loadFromFile(kubeconfigPath)
    context = process.env.TUNEWELL_E2E_CONTEXT || kc.getCurrentContext()
    kc.setCurrentContext(context)
  })

  after(async () => {
    await deleteCliExperiments(home, names)
    const batch = kc.makeApiClient(BatchV1Api)
    for (const name of names) {
      await batch.deleteCollectionNamespacedJob({ namespace, labelSelector: `katib.kubeflow.org/experiment=${name}`, propagationPolicy: 'Background' }).catch(() => {})
    }
    rmSync(home, { recursive: true, force: true })
  })

  test('a Job experiment runs to Succeeded: objectives from the pods\' logs, the best trial the lowest, no Job left behind', { timeout: 600_000 }, async () => {
    const name = `tunewell-e2e-${suffix}`
    const { record, trials } = await run(name, { max: 4, retain: false })
    assert.equal(record.state, 'Succeeded', `${record.reason}: ${record.message}`)
    assert.equal(trials.length, 4)
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message ?? ''}`)
      const expected = (Number(trial.params.lr) - 0.05) ** 2 + 1 / 3 / 1000
      assert.ok(Math.abs(Number(trial.objective) - expected) < 1e-5, `${trial.name}: objective ${trial.objective}, expected ${expected}`)
      assert.deepEqual(trial.execution, { ...(trial.execution as object), kind: 'kubernetes', workloadKind: 'Job', namespace, name: trial.name })
    }
    const best = trials.reduce((a, b) => (Number(b.objective) < Number(a.objective) ? b : a))
    assert.equal(record.bestTrialId, best.id)
    // retain is false: each Job was deleted once its trial ended (with its pods, in the background).
    assert.deepEqual(await jobsOf(name), [])
  })

  test('with trialTemplate.retain the finished trials\' Jobs stay on the cluster', { timeout: 600_000 }, async () => {
    const name = `tunewell-e2e-retain-${suffix}`
    const { record, trials } = await run(name, { max: 2, retain: true })
    assert.equal(record.state, 'Succeeded', `${record.reason}: ${record.message}`)
    assert.deepEqual(await jobsOf(name), trials.map((t) => t.name).sort())
  })
})
