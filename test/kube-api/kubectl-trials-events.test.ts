import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { KubectlServe, kubectlSkip, type CommandResult } from '../helpers/kubectl-serve.ts'
import { experimentYaml, uniqueName } from '../helpers/test-app.ts'

/**
 * Trials, Suggestions, namespaces and events with the real kubectl against a `tunewell serve`
 * child, through the kubeconfig `tunewell kubeconfig` prints (its namespace the experiment's).
 * Trials run by ask and tell over the REST API of the same server, so what kubectl must show
 * is known.
 */

const skip = kubectlSkip()
const EXPERIMENT_LABEL = 'katib.kubeflow.org/experiment'

const namespace = uniqueName('team')
const done = uniqueName('done')
const watched = uniqueName('watched')
let server: KubectlServe
let trials: string[] = []

function yaml(name: string, ns: string | undefined, max: number): string {
  return experimentYaml(name, { ...(ns ? { namespace: ns } : {}), parallel: 1, max, template: false })
}

async function rest(path: string, body: unknown, contentType = 'application/json'): Promise<Record<string, any>> {
  const response = await server.rest(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': contentType } })
  const text = await response.text()
  assert.ok(response.ok, `${path}: ${response.status} ${text}`)
  return JSON.parse(text) as Record<string, any>
}

const ask = async (experiment: string) => (await rest(`/api/v1/experiments/${experiment}/trials:ask`, {})).name as string
const tell = (experiment: string, trial: string, value: number) => rest(`/api/v1/experiments/${experiment}/trials/${trial}:tell`, { value })

/** kubectl in the experiment's namespace (the kubeconfig's default is `default`). */
async function kubectl(...args: string[]): Promise<CommandResult> {
  return server.kubectl(args)
}

function ok(result: CommandResult): string {
  assert.equal(result.code, 0, `kubectl failed: ${result.stderr}`)
  return result.stdout
}

/** The rows of a kubectl table, each split on runs of spaces (no cell here holds two spaces). */
function rows(output: string): string[][] {
  return output.trim().split('\n').map((line) => line.trim().split(/\s{2,}/))
}

describe('kubectl: trials, suggestions, namespaces and events', { skip }, () => {
  before(async () => {
    server = await KubectlServe.start()
    await rest('/api/v1/experiments', yaml(done, namespace, 3), 'application/yaml')
    for (const value of [0.3, 0.1, 0.2]) {
      const trial = await ask(done)
      trials.push(trial)
      await tell(done, trial, value)
    }
  })

  after(async () => {
    await server?.stop()
  })

  test('kubectl get trials -l katib.kubeflow.org/experiment=NAME: Katib\'s columns, every trial Succeeded', async () => {
    const table = rows(ok(await kubectl('get', 'trials', '-n', namespace, '-l', `${EXPERIMENT_LABEL}=${done}`)))
    assert.deepEqual(table[0], ['NAME', 'TYPE', 'STATUS', 'AGE'])
    assert.deepEqual(table.slice(1).map((r) => r.slice(0, 3)), trials.map((n) => [n, 'Succeeded', 'True']))
    const everywhere = ok(await kubectl('get', 'trials', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}'))
    for (const trial of trials) assert.ok(everywhere.split('\n').includes(`${namespace}/${trial}`), everywhere)
    assert.equal(ok(await kubectl('get', 'trials', '-n', 'default', '-l', `${EXPERIMENT_LABEL}=${done}`, '-o', 'name')).trim(), '')
  })

  test('kubectl get trial -o jsonpath reads Katib\'s fields; the suggestion counts every assignment', async () => {
    const assigned = ok(await kubectl('get', 'trial', trials[1]!, '-n', namespace, '-o', 'jsonpath={.spec.parameterAssignments[*].name}'))
    assert.equal(assigned, 'lr optimizer')
    const latest = ok(await kubectl('get', 'trial', trials[1]!, '-n', namespace, '-o', 'jsonpath={.status.observation.metrics[?(@.name=="loss")].latest}'))
    assert.equal(Number(latest), 0.1)
    const suggestion = rows(ok(await kubectl('get', 'suggestions', '-n', namespace)))
    assert.deepEqual(suggestion[0], ['NAME', 'TYPE', 'STATUS', 'REQUESTED', 'ASSIGNED', 'AGE'])
    assert.deepEqual(suggestion[1]!.slice(0, 5), [done, 'Succeeded', 'True', '3', '3'])
  })

  test('kubectl describe experiment lists its events with Katib\'s reasons; describe trial lists the trial\'s', async () => {
    const described = ok(await kubectl('describe', 'experiment', done, '-n', namespace))
    const events = described.slice(described.lastIndexOf('Events:'))
    assert.match(events, /Normal\s+ExperimentCreated\s+\S+\s+tunewell\s+Experiment is created/)
    assert.match(events, /Normal\s+ExperimentRunning\s/)
    assert.match(events, /Normal\s+ExperimentMaxTrialsReached\s+\S+\s+tunewell\s+Experiment has succeeded because max trial count has reached/)
    assert.doesNotMatch(events, /TrialSucceeded/, 'a trial\'s events are on the trial')
    const trial = ok(await kubectl('describe', 'trial', trials[0]!, '-n', namespace))
    const trialEvents = trial.slice(trial.lastIndexOf('Events:'))
    assert.match(trialEvents, /Normal\s+TrialRunning\s/)
    assert.match(trialEvents, /Normal\s+TrialSucceeded\s+\S+\s+tunewell\s+Trial has succeeded/)
  })

  test('kubectl get namespaces and get events, in one namespace and in all', async () => {
    const namespaces = rows(ok(await kubectl('get', 'namespaces')))
    assert.deepEqual(namespaces[0], ['NAME', 'STATUS', 'AGE'])
    assert.deepEqual(namespaces.filter((r) => r[0] === namespace || r[0] === 'default').map((r) => r.slice(0, 2)).sort(), [['default', 'Active'], [namespace, 'Active']])
    const missing = await kubectl('get', 'namespace', 'nobody-here')
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /Error from server \(NotFound\): namespaces "nobody-here" not found/)

    const events = rows(ok(await kubectl('get', 'events', '-n', namespace)))
    assert.deepEqual(events[0], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'])
    assert.ok(events.some((r) => r[2] === 'ExperimentCreated' && r[3] === `experiment/${done}`), JSON.stringify(events))
    assert.ok(events.some((r) => r[2] === 'TrialSucceeded' && r[3] === `trial/${trials[2]}`))
    // -A reads /api/v1/events, which is also the REST event stream: kubectl must get a list, not a stream.
    const all = await server.kubectl(['get', 'events', '-A'], { timeoutMs: 60_000 })
    const allRows = rows(ok(all))
    assert.equal(allRows[0]![0], 'NAMESPACE')
    assert.ok(allRows.some((r) => r[0] === namespace && r[3] === 'ExperimentCreated'))
  })

  test('kubectl cannot delete or patch a trial: MethodNotAllowed, and the trial stays', async () => {
    const deleted = await kubectl('delete', 'trial', trials[0]!, '-n', namespace)
    assert.equal(deleted.code, 1)
    assert.match(deleted.stderr, /Error from server \(MethodNotAllowed\): trials are read-only on this server/)
    const patched = await kubectl('patch', 'trial', trials[0]!, '-n', namespace, '--type', 'merge', '-p', '{"spec":{"retainRun":true}}')
    assert.equal(patched.code, 1)
    assert.match(patched.stderr, /MethodNotAllowed/)
    assert.equal(ok(await kubectl('get', 'trial', trials[0]!, '-n', namespace, '-o', 'name')).trim(), `trial.kubeflow.org/${trials[0]}`)
  })

  test('kubectl wait on a trial and a suggestion already in their condition returns at once', async () => {
    // The watch kubectl opens after its list has nothing to send: its head must still come.
    const trial = await server.kubectl(['wait', '--for=condition=Succeeded', `trial/${trials[0]}`, '-n', namespace, '--timeout=30s'], { timeoutMs: 60_000 })
    assert.match(ok(trial), new RegExp(`trial.kubeflow.org/${trials[0]} condition met`))
    const suggestion = await server.kubectl(['wait', '--for=condition=Succeeded', `suggestion/${done}`, '-n', namespace, '--timeout=30s'], { timeoutMs: 60_000 })
    assert.match(ok(suggestion), /condition met/)
  })

  test('kubectl get trials -w shows a new trial start and finish; kubectl get events -w its events', async () => {
    const events = server.kubectlRunning(['get', 'events', '-n', 'default', '-w'])
    await sleep(3000)
    await rest('/api/v1/experiments', yaml(watched, undefined, 1), 'application/yaml')
    const watch = server.kubectlRunning(['get', 'trials', '-n', 'default', '-w', '-l', `${EXPERIMENT_LABEL}=${watched}`])
    try {
      await waitFor(() => new RegExp(`ExperimentCreated\\s+experiment/${watched}`).test(events.output.stdout), () => `no event of ${watched}:\n${events.output.stdout}\n${events.output.stderr}`)
      // The watch is established once kubectl has listed (nothing yet: the header line is not even printed).
      await sleep(3000)
      const trial = await ask(watched)
      await waitFor(() => new RegExp(`${trial}\\s+Running\\s+True`).test(watch.output.stdout), () => `Running never shown:\n${watch.output.stdout}\n${watch.output.stderr}`)
      await tell(watched, trial, 0.5)
      await waitFor(() => new RegExp(`${trial}\\s+Succeeded\\s+True`).test(watch.output.stdout), () => `Succeeded never shown:\n${watch.output.stdout}\n${watch.output.stderr}`)
      await waitFor(() => new RegExp(`TrialSucceeded\\s+trial/${trial}`).test(events.output.stdout), () => `no TrialSucceeded:\n${events.output.stdout}\n${events.output.stderr}`)
    } finally {
      await watch.stop()
      await events.stop()
    }
  })
})

async function waitFor(done: () => boolean, message: () => string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > until) assert.fail(message())
    await sleep(200)
  }
}
