import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import type { ExperimentResource } from '../../api/schemas/experiment.ts'
import { askTellExperimentObject, quadraticExperimentYaml } from '../helpers/experiment-yaml.ts'
import { clientSkip, KubectlServe, runCommand } from '../helpers/kubectl-serve.ts'
import { uniqueName } from '../helpers/test-app.ts'

/**
 * The Kubernetes Python client (Debian's python3-kubernetes) against a real `tunewell serve`,
 * through the kubeconfig `tunewell kubeconfig` prints: the scripts in ./python make the calls
 * and report what the server answered; the assertions are here.
 */

const scripts = fileURLToPath(new URL('./python/', import.meta.url))

/**
 * A Python 3 that imports `kubernetes`: PYTHON when set, else the one on PATH, else Debian's own,
 * where apt installs python3-kubernetes (a pyenv or venv python on PATH does not see it).
 */
function findPython(): { python?: string; skip: false | string } {
  const candidates = [process.env.PYTHON?.trim(), 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c))
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import kubernetes'], { encoding: 'utf8', timeout: 30_000 })
    if (!probe.error && probe.status === 0) return { python, skip: false }
  }
  return { skip: clientSkip(`no Python 3 with the kubernetes module (tried ${candidates.join(', ')}; apt-get install python3-kubernetes)`) }
}

const { python, skip } = findPython()

interface KubeStatus {
  readonly kind: string
  readonly code: number
  readonly reason: string
  readonly message: string
  readonly status?: string
  readonly details?: { name?: string; group?: string; kind?: string; causes?: { field: string; message: string }[] }
}
interface Refusal {
  readonly code: number
  readonly body: KubeStatus
}
interface KubeObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { name: string; namespace: string; uid: string; resourceVersion: string; creationTimestamp: string; labels?: Record<string, string> }
  readonly spec: { maxTrialCount: number }
  readonly status?: { conditions?: { type: string; status: string }[]; trialsSucceeded?: number }
}
interface WatchSummary {
  readonly type: string
  readonly name?: string
  readonly resourceVersion?: string
  readonly maxTrialCount?: number
  readonly labels?: Record<string, string>
  readonly code?: number
}

describe('the Kubernetes Python client against tunewell serve', { skip }, () => {
  let server: KubectlServe
  before(async () => {
    // The Python client, unlike kubectl, sends the kubeconfig's token over plain http too.
    server = await KubectlServe.start({ token: true })
  })
  after(async () => {
    await server?.stop()
  })

  async function runScript<T>(script: string, body: unknown, timeoutMs: number): Promise<T> {
    const file = server.file(`${script}-${Date.now()}.json`, JSON.stringify(body))
    const result = await runCommand(python!, [`${scripts}${script}`, file], server.clientEnv({ PYTHONDONTWRITEBYTECODE: '1' }), undefined, timeoutMs)
    assert.equal(result.code, 0, `${script} exited with ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}\nserve:\n${server.serveOutput.err.slice(-4000)}`)
    return JSON.parse(result.stdout) as T
  }

  test('CustomObjectsApi: create, get, list by label and everywhere, patch, a stale replace, delete, and watches that see the patch and the deletion', { timeout: 120_000 }, async (t) => {
    const name = uniqueName('python')
    const body = { ...askTellExperimentObject(name, { max: 2, parallel: 1 }), metadata: { name, labels: { team: 'tuning' } } }
    const report = await runScript<{
      created: KubeObject
      duplicate: Refusal | null
      got: KubeObject
      listedByLabel: string[]
      listResourceVersion: string
      listedEverywhere: string[]
      missing: Refusal | null
      patched: KubeObject
      staleReplace: Refusal | null
      forbiddenPatch: Refusal | null
      deleteWithoutBody: { code: number; body: string } | null
      deleted: KubeObject | KubeStatus
      afterDelete: Refusal | null
      liveWatch: WatchSummary[]
      replayedWatch: WatchSummary[]
    }>('custom_objects.py', body, 100_000)
    const { created } = report

    // One subtest per call, so that each is reported on its own.
    await t.test('create answers the Katib object with its metadata', () => {
      assert.equal(created.apiVersion, 'kubeflow.org/v1beta1')
      assert.equal(created.kind, 'Experiment')
      assert.equal(created.metadata.name, name)
      assert.equal(created.metadata.namespace, 'default')
      assert.match(created.metadata.resourceVersion, /^\d+$/)
      assert.match(created.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      assert.equal(report.got.metadata.uid, created.metadata.uid)
    })
    await t.test('a second create is 409 AlreadyExists, a missing name 404 NotFound, as Status objects', () => {
      assert.equal(report.duplicate?.code, 409, JSON.stringify(report.duplicate))
      assert.equal(report.duplicate.body.kind, 'Status')
      assert.equal(report.duplicate.body.reason, 'AlreadyExists')
      assert.equal(report.duplicate.body.details?.name, name)
      assert.equal(report.missing?.code, 404, JSON.stringify(report.missing))
      assert.equal(report.missing.body.reason, 'NotFound')
      assert.equal(report.missing.body.message, 'experiments.kubeflow.org "no-such-experiment" not found')
    })
    await t.test('list by label selector and across namespaces', () => {
      assert.deepEqual(report.listedByLabel, [name])
      assert.ok(report.listedEverywhere.includes(`default/${name}`), report.listedEverywhere.join(' '))
      assert.match(report.listResourceVersion, /^\d+$/)
    })
    await t.test('a merge patch changes maxTrialCount and labels and moves the resourceVersion on', () => {
      assert.equal(report.patched.spec.maxTrialCount, 5)
      assert.equal(report.patched.metadata.labels?.stage, 'patched')
      assert.equal(report.patched.metadata.labels?.team, 'tuning')
      assert.ok(Number(report.patched.metadata.resourceVersion) > Number(created.metadata.resourceVersion), `${report.patched.metadata.resourceVersion} after ${created.metadata.resourceVersion}`)
    })
    await t.test('a replace with a stale resourceVersion is 409 Conflict; a patch of the algorithm 422 Invalid naming it', () => {
      assert.equal(report.staleReplace?.code, 409, JSON.stringify(report.staleReplace))
      assert.equal(report.staleReplace.body.reason, 'Conflict')
      assert.match(report.staleReplace.body.message, /the object has been modified; please apply your changes to the latest version and try again/)
      assert.equal(report.forbiddenPatch?.code, 422, JSON.stringify(report.forbiddenPatch))
      assert.equal(report.forbiddenPatch.body.reason, 'Invalid')
      assert.ok(report.forbiddenPatch.body.details?.causes?.some((c) => c.field.startsWith('spec.algorithm')), JSON.stringify(report.forbiddenPatch.body))
    })
    await t.test('delete removes it (the REST API agrees)', async () => {
      const deleted = report.deleted
      if (deleted.kind === 'Status') assert.equal((deleted as KubeStatus).status, 'Success', JSON.stringify(deleted))
      else assert.equal((deleted as KubeObject).metadata.name, name)
      assert.equal(report.afterDelete?.code, 404, JSON.stringify(report.afterDelete))
      assert.equal((await server.rest(`/api/v1/experiments/${name}`)).status, 404)
    })
    await t.test('delete as Katib\'s SDK calls it: no DeleteOptions (Content-Type application/json, no body)', () => {
      assert.equal(report.deleteWithoutBody, null, `refused: ${JSON.stringify(report.deleteWithoutBody)}`)
    })
    await t.test('a live watch (list, then watch) sees ADDED, the patch as MODIFIED, then DELETED, in resourceVersion order', () => {
      const events = report.liveWatch
      const seen = JSON.stringify(events)
      assert.ok(events.every((e) => e.name === name), `only this experiment: ${seen}`)
      assert.equal(events[0]?.type, 'ADDED', `starts with its state: ${seen}`)
      assert.ok(events.some((e) => e.type === 'MODIFIED' && e.maxTrialCount === 5 && e.labels?.stage === 'patched'), `the patch: ${seen}`)
      assert.equal(events.at(-1)?.type, 'DELETED', `ends with the deletion: ${seen}`)
      const versions = events.map((e) => Number(e.resourceVersion))
      assert.deepEqual(versions, [...versions].sort((a, b) => a - b), `resourceVersions in order: ${seen}`)
    })
    await t.test('a watch from the create\'s resourceVersion, opened after the deletion, replays up to DELETED with the last state', () => {
      // Changes of one object may come collapsed into its latest state (the store keeps states,
      // not every intermediate version), but the deletion and what was deleted are there.
      const events = report.replayedWatch
      const seen = JSON.stringify(events)
      assert.ok(events.every((e) => e.name === name), `only this experiment: ${seen}`)
      const last = events.at(-1)
      assert.equal(last?.type, 'DELETED', `ends with the deletion: ${seen}`)
      assert.equal(last.maxTrialCount, 5, seen)
      assert.equal(last.labels?.stage, 'patched', seen)
      assert.ok(Number(last.resourceVersion) > Number(report.patched.metadata.resourceVersion), seen)
    })
  })

  test('Katib SDK calls on the client: create_experiment, wait for Succeeded, get_optimal_hyperparameters, get_success_trial_details, get_trial, get_suggestion, edit_experiment_budget, delete_experiment', { timeout: 300_000 }, async (t) => {
    const name = uniqueName('sdk')
    const experiment = parse(quadraticExperimentYaml({ name, max: 3, parallel: 3 })) as { spec: Record<string, unknown> }
    // Katib resumes a Succeeded experiment whose budget grows only under LongRunning.
    experiment.spec.resumePolicy = 'LongRunning'
    const report = await runScript<{
      name: string
      succeeded: KubeObject
      optimal: { bestTrialName: string; parameterAssignments: { name: string; value: string }[]; observation: { metrics: { name: string }[] } } | null
      successTrials: { name: string; parameter_assignments: { name: string; value: string }[]; metrics: { name: string }[] }[]
      bestTrial?: { metadata: { name: string; labels: Record<string, string> }; spec: { parameterAssignments: { name: string; value: string }[] }; status: { conditions: { type: string; status: string }[] } }
      suggestion: { spec: { algorithm: { algorithmName: string } }; status: { suggestionCount?: number; suggestions?: { name: string }[] } }
      resumed: KubeObject
      resumedSuccessTrials: unknown[]
      deleteWithoutOptions: { code: number; body: string } | null
      afterDelete: number | null
    }>('katib_sdk_calls.py', experiment, 280_000)

    await t.test('create_experiment and wait_for_experiment_condition(Succeeded)', () => {
      assert.equal(report.name, name)
      assert.ok(report.succeeded.status?.conditions?.some((c) => c.type === 'Succeeded' && c.status === 'True'))
    })
    await t.test('get_optimal_hyperparameters is the best of get_success_trial_details', () => {
      assert.equal(report.successTrials.length, 3)
      assert.ok(report.optimal, 'get_optimal_hyperparameters found an optimal trial')
      const best = report.successTrials.find((trial) => trial.name === report.optimal!.bestTrialName)
      assert.ok(best, `the optimal trial ${report.optimal.bestTrialName} is among the succeeded ones`)
      assert.deepEqual(report.optimal.parameterAssignments, best.parameter_assignments)
      assert.ok(report.optimal.observation.metrics.some((m) => m.name === 'loss'))
      for (const trial of report.successTrials) assert.ok(trial.metrics.some((m) => m.name === 'loss'), JSON.stringify(trial))
    })
    await t.test('get_trial of the optimal trial and get_suggestion of the experiment', () => {
      const trial = report.bestTrial
      assert.ok(trial, 'get_trial answered')
      assert.equal(trial.metadata.labels['katib.kubeflow.org/experiment'], name)
      assert.deepEqual(trial.spec.parameterAssignments, report.optimal!.parameterAssignments)
      assert.ok(trial.status.conditions.some((c) => c.type === 'Succeeded' && c.status === 'True'), JSON.stringify(trial.status))
      assert.equal(report.suggestion.spec.algorithm.algorithmName, 'random')
      assert.equal(report.suggestion.status.suggestionCount, 3)
      assert.deepEqual((report.suggestion.status.suggestions ?? []).map((s) => s.name).sort(), report.successTrials.map((s) => s.name).sort())
    })
    await t.test('edit_experiment_budget (a patch with the whole object) resumes it under LongRunning to the new budget', () => {
      assert.equal(report.resumed.spec.maxTrialCount, 4)
      assert.equal(report.resumed.status?.trialsSucceeded, 4)
      assert.equal(report.resumedSuccessTrials.length, 4)
    })
    await t.test('delete_experiment removes it', async () => {
      assert.equal(report.afterDelete, 404)
      assert.equal((await server.rest(`/api/v1/experiments/${name}`)).status, 404)
    })
    await t.test('delete_experiment as the SDK calls it by default (no DeleteOptions: Content-Type application/json, no body)', () => {
      assert.equal(report.deleteWithoutOptions, null, `refused: ${JSON.stringify(report.deleteWithoutOptions)}`)
    })
  })

  test('what the client reads is what the REST API serves for the same experiment', { timeout: 120_000 }, async () => {
    const name = uniqueName('python-rest')
    const created = await server.rest('/api/v1/experiments', { method: 'POST', body: JSON.stringify(askTellExperimentObject(name, { max: 2, parallel: 1 })) })
    assert.equal(created.status, 201, await created.clone().text())
    const rest = (await (await server.rest(`/api/v1/experiments/${name}`)).json()) as ExperimentResource
    const get = await runCommand(python!, ['-c', `
import json
from kubernetes import client, config
config.load_kube_config()
print(json.dumps(client.CustomObjectsApi().get_namespaced_custom_object("kubeflow.org", "v1beta1", "default", "experiments", ${JSON.stringify(name)})))
`], server.clientEnv(), undefined, 60_000)
    assert.equal(get.code, 0, get.stderr)
    const object = JSON.parse(get.stdout) as KubeObject
    assert.equal(object.metadata.uid, rest.metadata.uid)
    assert.equal(object.spec.maxTrialCount, rest.spec.maxTrialCount)
    assert.equal((await server.rest(`/api/v1/experiments/${name}`, { method: 'DELETE' })).status, 204)
  })
})
