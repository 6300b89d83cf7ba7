import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { parse, parseAllDocuments, stringify } from 'yaml'
import type { ExperimentResource } from '../../api/schemas/experiment.ts'
import type { TrialView } from '../../api/schemas/trial.ts'
import { sharedExamplesDir, sharedExamplesSkip } from '../core/spec/example-sets.ts'
import { askTellExperimentObject, invalidExperimentYaml, quadraticExperimentYaml, type QuadraticOptions } from '../helpers/experiment-yaml.ts'
import { KubectlServe, kubectlSkip, type CommandResult } from '../helpers/kubectl-serve.ts'
import { opensslSkip } from '../helpers/self-signed-certificate.ts'
import { startTlsProxy } from '../helpers/tls-proxy.ts'
import { uniqueName } from '../helpers/test-app.ts'

/**
 * The user flows with the real kubectl (1.27 or later) against a real `tunewell serve`,
 * through the kubeconfig `tunewell kubeconfig` prints: nothing here talks to the kube paths
 * except kubectl itself, and the REST API of the same server is asked what it sees.
 */

interface KatibCondition {
  readonly type: string
  readonly status: string
  readonly reason?: string
}
interface KatibExperiment {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { name: string; namespace: string; uid: string; resourceVersion: string; creationTimestamp: string; labels?: Record<string, string> }
  readonly spec: { maxTrialCount: number }
  readonly status: {
    conditions: KatibCondition[]
    trials?: number
    trialsSucceeded?: number
    succeededTrialList?: string[]
    currentOptimalTrial: {
      bestTrialName: string
      parameterAssignments: { name: string; value: string }[]
      observation: { metrics: { name: string; min: string; max: string; latest: string }[] }
    }
  }
}
interface KatibTrial {
  readonly metadata: { name: string; labels: Record<string, string> }
  readonly spec: { parameterAssignments: { name: string; value: string }[] }
  readonly status: { conditions: KatibCondition[] }
}

const skip = kubectlSkip()

const repository = fileURLToPath(new URL('../../', import.meta.url))

const QUADRATIC_PARAMETERS = (y: string) => `    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: ${y}, parameterType: double, feasibleSpace: {min: "0", max: "1"}}`

/** YAML as kubectl reads it (1.1): strings such as `y` or `on` quoted. */
const kubectlYaml = (value: unknown) => stringify(value, { version: '1.1' })

/**
 * The quadratic fixture's Experiment file with its parameter "y" quoted: kubectl reads YAML 1.1,
 * where a bare `y` is the boolean true (the server refuses that, saying to quote it).
 */
function experimentYaml(o: QuadraticOptions): string {
  return quadraticExperimentYaml({ ...o, parameters: QUADRATIC_PARAMETERS('"y"') })
}

/** The YAML files under `dir`, recursively. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(entry.name) ? [path] : []
  })
}

/** The command's output, for assertion messages. */
function shown(result: CommandResult): string {
  return `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`
}

function ok(result: CommandResult): string {
  assert.equal(result.code, 0, shown(result))
  return result.stdout
}

/** Rows of kubectl's table output, split on runs of two or more spaces (AGE and names have none). */
function tableRows(text: string): string[][] {
  return text.trim().split('\n').filter((line) => line.trim() !== '').map((line) => line.trim().split(/\s{2,}/))
}

function conditionTrue(experiment: { status?: { conditions?: KatibCondition[] } }, type: string): boolean {
  return (experiment.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True')
}

async function until(what: string, check: () => boolean, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`)
    await sleep(100)
  }
}

describe('kubectl against tunewell serve', { skip }, () => {
  let server: KubectlServe
  before(async () => {
    server = await KubectlServe.start()
  })
  after(async () => {
    await server?.stop()
  })

  /** The REST API's view of one experiment (the dashboard's and the CLI's). */
  async function restExperiment(name: string): Promise<ExperimentResource> {
    const response = await server.rest(`/api/v1/experiments/${name}`)
    assert.equal(response.status, 200, await response.clone().text())
    return (await response.json()) as ExperimentResource
  }

  test('the newcomer flow: kubeconfig, apply, wait for Succeeded, the trials by label; the same experiment over the REST API', { timeout: 240_000 }, async () => {
    const name = uniqueName('newcomer')
    const file = server.file('experiment.yaml', experimentYaml({ name, max: 4, parallel: 2 }))
    assert.equal(ok(await server.kubectl(['apply', '-f', file])).trim(), `experiment.kubeflow.org/${name} created`)
    assert.equal(ok(await server.kubectl(['wait', '--for=condition=Succeeded', `exp/${name}`, '--timeout=180s'], { timeoutMs: 200_000 })).trim(), `experiment.kubeflow.org/${name} condition met`)

    const table = tableRows(ok(await server.kubectl(['get', 'trials', '-l', `katib.kubeflow.org/experiment=${name}`])))
    assert.deepEqual(table[0]!.slice(0, 4), ['NAME', 'TYPE', 'STATUS', 'AGE'], table.join('\n'))
    const rest = await restExperiment(name)
    const restTrials = ((await (await server.rest(`/api/v1/experiments/${name}/trials`)).json()) as { items: TrialView[] }).items
    assert.equal(restTrials.length, 4)
    assert.deepEqual(table.slice(1).map((row) => row[0]).sort(), restTrials.map((t) => t.name).sort())
    for (const row of table.slice(1)) assert.deepEqual(row.slice(1, 3), ['Succeeded', 'True'], row.join(' | '))

    const trials = JSON.parse(ok(await server.kubectl(['get', 'trials', '-l', `katib.kubeflow.org/experiment=${name}`, '-o', 'json']))) as { items: KatibTrial[] }
    for (const trial of trials.items) {
      assert.equal(trial.metadata.labels['katib.kubeflow.org/experiment'], name)
      const rested = restTrials.find((t) => t.name === trial.metadata.name)!
      assert.deepEqual(trial.spec.parameterAssignments, rested.parameterAssignments, `trial ${trial.metadata.name}'s parameterAssignments`)
      assert.ok(conditionTrue(trial, 'Succeeded'), JSON.stringify(trial.status))
    }
    assert.equal(rest.status.state, 'Succeeded')

    // Katib's Suggestion of the experiment (named after it): one suggestion per trial.
    const suggestions = tableRows(ok(await server.kubectl(['get', 'suggestions', name])))
    assert.deepEqual(suggestions[0], ['NAME', 'TYPE', 'STATUS', 'REQUESTED', 'ASSIGNED', 'AGE'], suggestions.join('\n'))
    const suggestion = JSON.parse(ok(await server.kubectl(['get', 'suggestion', name, '-o', 'json']))) as { status: { suggestions?: { name: string }[] } }
    assert.deepEqual((suggestion.status.suggestions ?? []).map((s) => s.name).sort(), restTrials.map((t) => t.name).sort())
  })

  test('docs/kubectl.md\'s flow as written: examples/quickstart.yaml applied, waited for, its trials listed', { timeout: 240_000 }, async () => {
    // The docs run serve with --home examples; this server's home gets the two things the file's
    // relative command needs from there: the program's folder and node_modules (for tsx).
    symlinkSync(join(repository, 'examples', 'logistic-regression'), join(server.dir, 'logistic-regression'))
    symlinkSync(join(repository, 'node_modules'), join(server.dir, 'node_modules'))
    const quickstart = join(repository, 'examples', 'quickstart.yaml')
    const name = (parse(readFileSync(quickstart, 'utf8')) as { metadata: { name: string } }).metadata.name
    assert.equal(ok(await server.kubectl(['apply', '-f', quickstart])).trim(), `experiment.kubeflow.org/${name} created`)
    const waited = await server.kubectl(['wait', '--for=condition=Succeeded', `exp/${name}`, '--timeout=180s'], { timeoutMs: 200_000 })
    assert.equal(waited.code, 0, `${shown(waited)}\n${ok(await server.kubectl(['get', 'trials', '-o', 'wide']))}`)
    const trials = tableRows(ok(await server.kubectl(['get', 'trials', '-l', `katib.kubeflow.org/experiment=${name}`])))
    const object = JSON.parse(ok(await server.kubectl(['get', 'exp', name, '-o', 'json']))) as KatibExperiment
    assert.equal(trials.length - 1, object.spec.maxTrialCount)
    for (const row of trials.slice(1)) assert.deepEqual(row.slice(1, 3), ['Succeeded', 'True'], row.join(' | '))
    ok(await server.kubectl(['delete', 'exp', name]))
  })

  test('get shows Katib\'s columns, -o yaml the Katib object, -o jsonpath its best trial, describe its events', { timeout: 240_000 }, async () => {
    const name = uniqueName('shown')
    ok(await server.kubectl(['apply', '-f', server.file(`${name}.yaml`, experimentYaml({ name, max: 3, parallel: 3 }))]))
    ok(await server.kubectl(['wait', '--for=condition=Succeeded', `experiment/${name}`, '--timeout=180s'], { timeoutMs: 200_000 }))
    const rest = await restExperiment(name)
    const best = rest.status.currentOptimalTrial

    const restTrials = ((await (await server.rest(`/api/v1/experiments/${name}/trials`)).json()) as { items: TrialView[] }).items
    const bestObjective = restTrials.find((t) => t.name === best.bestTrialName)!.objective!
    // Katib's columns (TYPE, STATUS, AGE) and the best objective value.
    const table = tableRows(ok(await server.kubectl(['get', 'exp', name])))
    assert.deepEqual(table[0], ['NAME', 'TYPE', 'STATUS', 'OBJECTIVE', 'AGE'], table.join('\n'))
    assert.deepEqual(table[1]!.slice(0, 3), [name, 'Succeeded', 'True'])
    assert.ok(Math.abs(Number(table[1]![3]) - bestObjective) < 1e-3, `OBJECTIVE ${table[1]![3]} vs the best trial's objective ${bestObjective}`)
    const wide = tableRows(ok(await server.kubectl(['get', 'experiments.kubeflow.org', name, '-o', 'wide'])))
    for (const column of ['TRIALS', 'SUCCEEDED', 'BEST']) assert.ok(wide[0]!.includes(column), `-o wide has ${column}: ${wide[0]!.join(' | ')}`)
    const cell = (column: string) => wide[1]![wide[0]!.indexOf(column)]!
    assert.equal(Number(cell('TRIALS')), 3)
    assert.equal(Number(cell('SUCCEEDED')), 3)
    assert.equal(cell('BEST'), best.bestTrialName)

    const object = parse(ok(await server.kubectl(['get', 'exp', name, '-o', 'yaml']))) as KatibExperiment
    assert.equal(object.apiVersion, 'kubeflow.org/v1beta1')
    assert.equal(object.kind, 'Experiment')
    assert.equal(object.metadata.name, name)
    assert.equal(object.metadata.namespace, 'default')
    assert.match(object.metadata.resourceVersion, /^\d+$/)
    assert.match(object.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.ok(object.metadata.uid)
    assert.equal(object.spec.maxTrialCount, 3)
    const succeeded = object.status.conditions.find((c) => c.type === 'Succeeded')
    assert.equal(succeeded?.status, 'True', JSON.stringify(object.status.conditions))
    assert.equal(succeeded?.reason, 'ExperimentMaxTrialsReached')
    assert.equal(object.status.trials, 3)
    assert.equal(object.status.trialsSucceeded, 3)
    assert.deepEqual([...(object.status.succeededTrialList ?? [])].sort(), restTrials.map((t) => t.name).sort())
    assert.equal(object.status.currentOptimalTrial.bestTrialName, best.bestTrialName)
    assert.deepEqual(object.status.currentOptimalTrial.parameterAssignments.map((p) => p.name).sort(), ['x', 'y'])

    const jsonpath = ok(await server.kubectl(['get', 'exp', name, '-o', 'jsonpath={.status.currentOptimalTrial.bestTrialName}']))
    assert.equal(jsonpath, best.bestTrialName)

    const described = ok(await server.kubectl(['describe', 'exp', name]))
    assert.match(described, new RegExp(`^Name:\\s+${name}$`, 'm'))
    assert.match(described, /^Namespace:\s+default$/m)
    assert.match(described, /^API Version:\s+kubeflow\.org\/v1beta1$/m)
    assert.match(described, /^Kind:\s+Experiment$/m)
    const events = described.slice(described.lastIndexOf('Events:'))
    assert.ok(events.startsWith('Events:'), described)
    assert.doesNotMatch(events, /<none>/, `describe shows the experiment's events:\n${events}`)
  })

  test('an experiment submitted over the REST API is the one kubectl gets, and a kubectl label reaches selectors', async () => {
    const name = uniqueName('rest')
    const created = await server.rest('/api/v1/experiments', { method: 'POST', body: JSON.stringify(askTellExperimentObject(name, { max: 2, parallel: 1 })) })
    assert.equal(created.status, 201, await created.clone().text())
    const object = JSON.parse(ok(await server.kubectl(['get', 'exp', name, '-o', 'json']))) as KatibExperiment
    assert.equal(object.metadata.name, name)
    assert.equal(object.metadata.uid, (await restExperiment(name)).metadata.uid)
    assert.equal(object.spec.maxTrialCount, 2)
    ok(await server.kubectl(['label', 'exp', name, 'team=tuning']))
    const selected = tableRows(ok(await server.kubectl(['get', 'exp', '-l', 'team=tuning', '-o', 'name'])))
    assert.deepEqual(selected, [[`experiment.kubeflow.org/${name}`]])
    const all = ok(await server.kubectl(['get', 'exp', '-A', '--field-selector', `metadata.name=${name}`, '-o', 'name']))
    assert.equal(all.trim(), `experiment.kubeflow.org/${name}`)
    ok(await server.kubectl(['delete', 'exp', name, '--timeout=60s']))
    assert.equal((await server.rest(`/api/v1/experiments/${name}`)).status, 404)
  })

  test('budget edits: patch --type merge and apply change maxTrialCount, get -w sees it, a stale replace is 409, other fields are refused by name, delete removes it (a watch sees DELETED)', { timeout: 240_000 }, async () => {
    const name = uniqueName('budget')
    // Its trials hang: the experiment stays Running while its budget is edited.
    const text = experimentYaml({ name, max: 2, parallel: 1, flags: ['--mode=hang'] })
    const file = server.file(`${name}.yaml`, text)
    ok(await server.kubectl(['apply', '-f', file]))
    const stale = server.file(`${name}-stale.yaml`, ok(await server.kubectl(['get', 'exp', name, '-o', 'yaml'])))

    const watch = server.kubectlRunning(['get', 'exp', name, '-w', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,MAX:.spec.maxTrialCount'])
    const table = server.kubectlRunning(['get', 'exp', '-w'])
    try {
      await until(`kubectl get -w prints the experiment\n${watch.output.stderr}`, () => watch.output.stdout.includes(name))
      assert.deepEqual(tableRows(watch.output.stdout)[0], [name, '2'])
      assert.equal(ok(await server.kubectl(['patch', 'exp', name, '--type', 'merge', '-p', '{"spec":{"maxTrialCount":3}}'])).trim(), `experiment.kubeflow.org/${name} patched`)
      await until(`kubectl get -w prints the new maxTrialCount\n${watch.output.stdout}\n${watch.output.stderr}`, () => tableRows(watch.output.stdout).some((row) => row[0] === name && row[1] === '3'))
      assert.equal((await restExperiment(name)).spec.maxTrialCount, 3)
      await until(`kubectl get exp -w prints its table\n${table.output.stdout}\n${table.output.stderr}`, () => table.output.stdout.includes(name))
      assert.deepEqual(tableRows(table.output.stdout)[0]!.slice(0, 3), ['NAME', 'TYPE', 'STATUS'])
    } finally {
      await watch.stop()
      await table.stop()
    }

    const conflict = await server.kubectl(['replace', '-f', stale])
    assert.equal(conflict.code, 1, shown(conflict))
    assert.match(conflict.stderr, /Conflict/)
    assert.match(conflict.stderr, /the object has been modified; please apply your changes to the latest version and try again/)

    // The file edited and applied again, as a user edits a budget.
    const edited = parse(text) as { spec: { maxTrialCount: number; parameters: { feasibleSpace: { max: string } }[] } }
    edited.spec.maxTrialCount = 4
    ok(await server.kubectl(['apply', '-f', server.file(`${name}.yaml`, kubectlYaml(edited))]))
    assert.equal((await restExperiment(name)).spec.maxTrialCount, 4)
    edited.spec.parameters[0]!.feasibleSpace.max = '2'
    const refused = await server.kubectl(['apply', '-f', server.file(`${name}.yaml`, kubectlYaml(edited))])
    assert.equal(refused.code, 1, shown(refused))
    assert.match(refused.stderr, /is invalid/)
    assert.match(refused.stderr, /spec\.parameters/)
    const algorithm = await server.kubectl(['patch', 'exp', name, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/algorithm/algorithmName","value":"tpe"}]'])
    assert.equal(algorithm.code, 1, shown(algorithm))
    assert.match(algorithm.stderr, /spec\.algorithm/)

    const events = server.kubectlRunning(['get', 'exp', name, '-w', '--output-watch-events'])
    try {
      await until(`get -w --output-watch-events prints the experiment\n${events.output.stderr}`, () => events.output.stdout.includes(name))
      assert.equal(ok(await server.kubectl(['delete', 'exp', name, '--timeout=60s'], { timeoutMs: 90_000 })).trim(), `experiment.kubeflow.org "${name}" deleted`)
      await until(`get -w --output-watch-events prints DELETED\n${events.output.stdout}\n${events.output.stderr}`, () => tableRows(events.output.stdout).some((row) => row[0] === 'DELETED' && row[1] === name))
    } finally {
      await events.stop()
    }
    const gone = await server.kubectl(['get', 'exp', name])
    assert.equal(gone.code, 1, shown(gone))
    assert.match(gone.stderr, new RegExp(`Error from server \\(NotFound\\): experiments\\.kubeflow\\.org "${name}" not found`))
    assert.equal((await server.rest(`/api/v1/experiments/${name}`)).status, 404)
  })

  test('discovery for kubectl: api-resources lists exp, explain documents the spec; apply --server-side creates and changes the budget, warning that it merges', async () => {
    const resources = ok(await server.kubectl(['api-resources', '--api-group=kubeflow.org', '--no-headers']))
    assert.match(resources, /^experiments\s+exp\s+kubeflow\.org\/v1beta1\s+true\s+Experiment$/m, resources)
    assert.match(resources, /^trials\s+kubeflow\.org\/v1beta1\s+true\s+Trial$/m, resources)
    assert.match(resources, /^suggestions\s+kubeflow\.org\/v1beta1\s+true\s+Suggestion$/m, resources)
    const explained = ok(await server.kubectl(['explain', 'experiment.spec.maxTrialCount']))
    assert.match(explained, /^GROUP:\s+kubeflow\.org$/m, explained)
    assert.match(explained, /^KIND:\s+Experiment$/m, explained)
    assert.match(explained, /^FIELD:\s+maxTrialCount/m, explained)

    const name = uniqueName('applied')
    const experiment = askTellExperimentObject(name, { max: 2, parallel: 1 })
    const first = await server.kubectl(['apply', '--server-side', '-f', server.file(`${name}.yaml`, kubectlYaml(experiment))])
    assert.equal(ok(first).trim(), `experiment.kubeflow.org/${name} serverside-applied`)
    experiment.spec.maxTrialCount = 3
    const second = await server.kubectl(['apply', '--server-side', '-f', server.file(`${name}.yaml`, kubectlYaml(experiment))])
    assert.equal(ok(second).trim(), `experiment.kubeflow.org/${name} serverside-applied`)
    assert.match(second.stderr, /^Warning: /m, 'kubectl shows the server\'s warning')
    assert.equal((await restExperiment(name)).spec.maxTrialCount, 3)
    ok(await server.kubectl(['delete', 'exp', name]))
  })

  test('an invalid file is refused naming each field, an unknown field by --validate=strict, and nothing is created', async () => {
    const name = uniqueName('invalid')
    const invalid = await server.kubectl(['apply', '-f', server.file('invalid.yaml', invalidExperimentYaml(name))])
    assert.equal(invalid.code, 1, shown(invalid))
    assert.match(invalid.stderr, new RegExp(`The Experiment "${name}" is invalid`))
    assert.match(invalid.stderr, /spec\.maxTrialCount/)
    assert.match(invalid.stderr, /spec\.parameters\[0\]\.feasibleSpace/)

    const unknownName = uniqueName('unknown')
    const withUnknown = parse(experimentYaml({ name: unknownName })) as { spec: Record<string, unknown> }
    withUnknown.spec.foo = 1
    const unknownFile = server.file('unknown.yaml', kubectlYaml(withUnknown))
    for (const args of [['apply', '-f', unknownFile], ['create', '--validate=strict', '-f', unknownFile]]) {
      const refused = await server.kubectl(args)
      assert.equal(refused.code, 1, shown(refused))
      assert.match(refused.stderr, /unknown field "spec\.foo"/, shown(refused))
    }
    // A bare `y` is a boolean to kubectl (YAML 1.1): refused with the field named and the fix.
    const bareName = uniqueName('bare')
    const bare = await server.kubectl(['apply', '-f', server.file('bare.yaml', quadraticExperimentYaml({ name: bareName, parameters: QUADRATIC_PARAMETERS('y') }))])
    assert.equal(bare.code, 1, shown(bare))
    assert.match(bare.stderr, /spec\.parameters\[1\]\.name/)
    assert.match(bare.stderr, /write it in quotes/)

    for (const absent of [name, unknownName, bareName]) {
      const get = await server.kubectl(['get', 'exp', absent])
      assert.match(get.stderr, /NotFound/, shown(get))
    }
  })

  test('create with generateName gets a generated name; a duplicate create is AlreadyExists, in another namespace too', async () => {
    const generate = { ...askTellExperimentObject('unused', { max: 1, parallel: 1 }), metadata: { generateName: 'generated-' } }
    const created = ok(await server.kubectl(['create', '-f', '-', '-o', 'name'], { input: JSON.stringify(generate) })).trim()
    assert.match(created, /^experiment\.kubeflow\.org\/generated-[a-z0-9]{5}$/)
    const name = created.slice(created.indexOf('/') + 1)
    assert.equal((await restExperiment(name)).metadata.name, name)

    const duplicate = await server.kubectl(['create', '-f', '-'], { input: JSON.stringify(askTellExperimentObject(name, { max: 1, parallel: 1 })) })
    assert.equal(duplicate.code, 1, shown(duplicate))
    assert.match(duplicate.stderr, new RegExp(`Error from server \\(AlreadyExists\\).*experiments\\.kubeflow\\.org "${name}" already exists`))
    // Names are unique across namespaces (docs/kubectl.md): the same name elsewhere is refused too.
    const elsewhere = await server.kubectl(['create', '-n', 'other', '-f', '-'], { input: JSON.stringify(askTellExperimentObject(name, { max: 1, parallel: 1 })) })
    assert.equal(elsewhere.code, 1, shown(elsewhere))
    assert.match(elsewhere.stderr, /AlreadyExists/, shown(elsewhere))
    ok(await server.kubectl(['delete', 'exp', name]))
  })

  test('a server with a token: on plain http kubectl sends none and is Unauthorized (tunewell kubeconfig warns); behind an https proxy it gets through', { skip: opensslSkip(), timeout: 180_000 }, async () => {
    const guarded = await KubectlServe.start({ token: true })
    const proxy = await startTlsProxy(guarded)
    try {
      assert.match(guarded.kubeconfigWarnings, /kubectl sends no token to a plain http server/)
      const refused = await guarded.kubectl(['get', 'exp'])
      assert.equal(refused.code, 1, shown(refused))
      assert.match(refused.stderr, /You must be logged in to the server/)
      assert.equal((await guarded.rest('/apis/kubeflow.org/v1beta1/namespaces/default/experiments')).status, 200, 'the same request with the token passes')

      const https = guarded.writeKubeconfig('https-kc', ['--server', proxy.url, '--certificate-authority', proxy.ca])
      assert.doesNotMatch(https.stderr, /warning/)
      const env = { KUBECONFIG: https.path }
      const name = uniqueName('https')
      ok(await guarded.kubectl(['create', '-f', '-'], { env, input: JSON.stringify(askTellExperimentObject(name, { max: 1, parallel: 1 })) }))
      assert.equal(ok(await guarded.kubectl(['get', 'exp', '-o', 'name'], { env })).trim(), `experiment.kubeflow.org/${name}`)
      const wrong = guarded.file('wrong-token-kc', readFileSync(https.path, 'utf8').replace(guarded.token!, 'f'.repeat(32)))
      const unauthorized = await guarded.kubectl(['get', 'exp'], { env: { KUBECONFIG: wrong } })
      assert.equal(unauthorized.code, 1, shown(unauthorized))
      assert.match(unauthorized.stderr, /You must be logged in to the server/)
    } finally {
      await proxy.close()
      await guarded.stop()
    }
  })

  test('Katib\'s examples: a server dry run accepts each hp-tuning file, every other one is accepted or refused as Invalid naming a field; random.yaml runs in its namespace with a local stand-in for its training container', { skip: sharedExamplesSkip(), timeout: 300_000 }, async () => {
    const dir = join(sharedExamplesDir, 'hp-tuning')
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    assert.ok(files.length > 0)
    const dry = await server.kubectl(['apply', '--dry-run=server', '-f', dir])
    for (const f of files) {
      const object = parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as { metadata: { name: string } }).find(Boolean)!
      assert.match(dry.stdout, new RegExp(`experiment\\.kubeflow\\.org/${object.metadata.name} created \\(server dry run\\)`), `${f}: ${shown(dry)}`)
    }
    assert.equal(dry.code, 0, shown(dry))
    const none = await server.kubectl(['get', 'exp', '-n', 'kubeflow', '-o', 'name'])
    assert.equal(ok(none).trim(), '', 'a dry run creates nothing')

    // All of Katib's examples: each is accepted, or refused as Invalid naming a spec field (what
    // needs a cluster or is not there yet); never another kind of error.
    const all = await server.kubectl(['apply', '--dry-run=server', '--recursive', '-f', sharedExamplesDir])
    const lines = `${all.stdout}\n${all.stderr}`.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('Warning: '))
    for (const line of lines) {
      assert.match(line, /^(experiment\.kubeflow\.org\/\S+ created \(server dry run\)|Error from server \(Invalid\): error when creating "[^"]+": Experiment\.kubeflow\.org "[^"]+" is invalid: \[?spec\.\S+: .+)$/, `${line}\n${shown(all)}`)
    }
    const experiments = yamlFiles(sharedExamplesDir).flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as { kind?: string } | null)).filter((o) => o?.kind === 'Experiment')
    assert.equal(lines.length, experiments.length, `one answer per Experiment:\n${shown(all)}`)

    // random.yaml as Katib ships it, but for the image's command: a local program stands in for
    // the MNIST trainer and prints the objective from the same trial parameters.
    const standIn = server.file('mnist-stand-in.mjs', `const flags = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')))
const loss = Math.abs(Number(flags.lr) - 0.03) + Math.abs(Number(flags.momentum) - 0.7) / 10
for (let epoch = 1; epoch <= 2; epoch++) console.log('epoch ' + epoch + ' loss=' + (loss + (2 - epoch) / 100).toFixed(6))
`)
    const random = parse(readFileSync(join(dir, 'random.yaml'), 'utf8')) as {
      metadata: { name: string; namespace: string }
      spec: { trialTemplate: { primaryContainerName: string; trialSpec: { spec: { template: { spec: { containers: { name: string; command: string[] }[] } } } } } }
    }
    const container = random.spec.trialTemplate.trialSpec.spec.template.spec.containers.find((c) => c.name === random.spec.trialTemplate.primaryContainerName)!
    container.command = [process.execPath, standIn, ...container.command.filter((arg) => arg.includes('${trialParameters.'))]
    const { name, namespace } = random.metadata
    ok(await server.kubectl(['apply', '-f', server.file('random.yaml', kubectlYaml(random))]))
    ok(await server.kubectl(['wait', '-n', namespace, '--for=condition=Succeeded', `exp/${name}`, '--timeout=240s'], { timeoutMs: 260_000 }))
    const object = JSON.parse(ok(await server.kubectl(['get', 'exp', '-n', namespace, name, '-o', 'json']))) as KatibExperiment
    const trials = JSON.parse(ok(await server.kubectl(['get', 'trials', '-n', namespace, '-l', `katib.kubeflow.org/experiment=${name}`, '-o', 'json']))) as { items: KatibTrial[] }
    assert.equal(trials.items.length, object.status.trials)
    assert.ok(trials.items.some((t) => t.metadata.name === object.status.currentOptimalTrial.bestTrialName))
    assert.deepEqual(object.status.currentOptimalTrial.parameterAssignments.map((p) => p.name).sort(), ['lr', 'momentum'])
    const namespaces = ok(await server.kubectl(['get', 'namespaces', '-o', 'name'])).trim().split('\n')
    for (const expected of ['namespace/default', `namespace/${namespace}`]) assert.ok(namespaces.includes(expected), namespaces.join(' '))
    const wrong = await server.kubectl(['get', 'exp', name])
    assert.match(wrong.stderr, /NotFound/, `${name} is in ${namespace}, not default: ${shown(wrong)}`)
    ok(await server.kubectl(['delete', '-n', namespace, 'exp', name, '--timeout=60s'], { timeoutMs: 90_000 }))
  })
})
