import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync } from 'node:fs'
import { parse } from 'yaml'
import { KubectlServe, kubectlSkip, type CommandResult } from '../helpers/kubectl-serve.ts'
import { experimentYaml, uniqueName } from '../helpers/test-app.ts'

/**
 * Experiment writes with the real kubectl against a real `tunewell serve`, beyond the newcomer
 * flow (kubectl-flow.test.ts): the verbs and flags whose answers come from the experiment
 * routes (label, annotate, edit, replace, server-side apply, server dry runs, chunked lists,
 * the status subresource, a patch of kubectl's default type). Experiments here have no
 * trialTemplate (ask/tell), so nothing runs and only the writes change them.
 */

const skip = kubectlSkip()

function shown(result: CommandResult): string {
  return `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`
}

function ok(result: CommandResult): string {
  assert.equal(result.code, 0, shown(result))
  return result.stdout
}

function failed(result: CommandResult, pattern: RegExp): void {
  assert.notEqual(result.code, 0, shown(result))
  assert.match(result.stderr, pattern, shown(result))
}

interface Experiment {
  metadata: { name: string; namespace: string; resourceVersion: string; generation: number; labels?: Record<string, string>; annotations?: Record<string, string> }
  spec: { maxTrialCount: number; parallelTrialCount: number }
}

describe('kubectl writes experiments', { skip }, () => {
  let server: KubectlServe
  before(async () => {
    server = await KubectlServe.start()
  })
  after(async () => {
    await server?.stop()
  })

  const getJson = async (name: string, namespace = 'default') =>
    JSON.parse(ok(await server.kubectl(['get', 'exp', name, '-n', namespace, '-o', 'json']))) as Experiment

  async function createFrom(name: string, namespace = 'default'): Promise<Experiment> {
    const file = server.file(`${name}.yaml`, experimentYaml(name, { template: false }))
    assert.equal(ok(await server.kubectl(['create', '-n', namespace, '-f', file])).trim(), `experiment.kubeflow.org/${name} created`)
    return getJson(name, namespace)
  }

  test('label and annotate change metadata only: a new resourceVersion, the same generation, selectors see it', async () => {
    const name = uniqueName('label')
    const before = await createFrom(name)
    assert.equal(ok(await server.kubectl(['label', 'exp', name, 'team=vision'])).trim(), `experiment.kubeflow.org/${name} labeled`)
    assert.equal(ok(await server.kubectl(['annotate', 'exp', name, 'note=first try'])).trim(), `experiment.kubeflow.org/${name} annotated`)
    const after = await getJson(name)
    assert.deepEqual(after.metadata.labels, { team: 'vision' })
    assert.equal(after.metadata.annotations?.note, 'first try')
    assert.equal(after.metadata.generation, before.metadata.generation)
    assert.ok(Number(after.metadata.resourceVersion) > Number(before.metadata.resourceVersion))
    assert.deepEqual(ok(await server.kubectl(['get', 'exp', '-l', 'team=vision', '-o', 'name'])).trim().split('\n'), [`experiment.kubeflow.org/${name}`])
    ok(await server.kubectl(['label', 'exp', name, 'team-']))
    assert.equal((await getJson(name)).metadata.labels, undefined)
  })

  test('patch without --type is refused as a real server refuses a strategic merge patch of a custom resource; --type json applies', async () => {
    const name = uniqueName('strategic')
    await createFrom(name)
    failed(await server.kubectl(['patch', 'exp', name, '-p', '{"spec":{"maxTrialCount":20}}']), /UnsupportedMediaType|is not supported by kubeflow.org\/v1beta1, Kind=Experiment/)
    ok(await server.kubectl(['patch', 'exp', name, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/maxTrialCount","value":20}]']))
    const patched = await getJson(name)
    assert.equal(patched.spec.maxTrialCount, 20)
    assert.equal(patched.metadata.generation, 2)
  })

  test('edit (KUBE_EDITOR) and replace of the current object change the budget; a changed algorithm is refused naming it', async () => {
    const name = uniqueName('edit')
    await createFrom(name)
    // An editor that raises maxTrialCount in the file kubectl hands it.
    const editor = server.file('editor.sh', '#!/bin/sh\nsed -i "s/maxTrialCount: 10/maxTrialCount: 14/" "$1"\n')
    chmodSync(editor, 0o755)
    assert.equal(ok(await server.kubectl(['edit', 'exp', name], { env: { KUBE_EDITOR: editor, EDITOR: editor } })).trim(), `experiment.kubeflow.org/${name} edited`)
    assert.equal((await getJson(name)).spec.maxTrialCount, 14)

    const current = parse(ok(await server.kubectl(['get', 'exp', name, '-o', 'yaml']))) as Experiment & { spec: Record<string, any> }
    current.spec.parallelTrialCount = 1
    const replaced = server.file(`${name}-replace.json`, JSON.stringify(current))
    assert.equal(ok(await server.kubectl(['replace', '-f', replaced])).trim(), `experiment.kubeflow.org/${name} replaced`)
    assert.equal((await getJson(name)).spec.parallelTrialCount, 1)

    const fresh = parse(ok(await server.kubectl(['get', 'exp', name, '-o', 'yaml']))) as Record<string, any>
    fresh.spec.algorithm.algorithmName = 'tpe'
    failed(await server.kubectl(['replace', '-f', server.file(`${name}-algorithm.json`, JSON.stringify(fresh))]),
      /is invalid: spec\.algorithm\.algorithmName: Forbidden: only spec\.parallelTrialCount, spec\.maxTrialCount and spec\.maxFailedTrialCount are editable/)
  })

  test('server-side apply creates and then changes the budget (saying what it approximates); diff and --dry-run=server change nothing', async () => {
    const name = uniqueName('ssa')
    const file = server.file(`${name}.yaml`, experimentYaml(name, { template: false }))
    const first = await server.kubectl(['apply', '--server-side', '-f', file])
    assert.equal(ok(first).trim(), `experiment.kubeflow.org/${name} serverside-applied`)
    assert.equal(ok(await server.kubectl(['diff', '-f', file])), '')
    const changed = server.file(`${name}.yaml`, experimentYaml(name, { template: false, max: 12 }))
    // kubectl diff is a server-side dry-run apply: the budget change shows, nothing changes.
    const diff = await server.kubectl(['diff', '-f', changed])
    assert.equal(diff.code, 1, shown(diff))
    assert.match(diff.stdout, /^-  maxTrialCount: 10$/m)
    assert.match(diff.stdout, /^\+  maxTrialCount: 12$/m)
    assert.equal((await getJson(name)).spec.maxTrialCount, 10)
    const second = await server.kubectl(['apply', '--server-side', '-f', changed])
    ok(second)
    assert.match(second.stderr, /Warning: server-side apply here merges the applied fields/)
    assert.equal((await getJson(name)).spec.maxTrialCount, 12)

    const dryName = uniqueName('dry')
    const dryFile = server.file(`${dryName}.yaml`, experimentYaml(dryName, { template: false }))
    assert.equal(ok(await server.kubectl(['create', '--dry-run=server', '-f', dryFile])).trim(), `experiment.kubeflow.org/${dryName} created (server dry run)`)
    failed(await server.kubectl(['get', 'exp', dryName]), /NotFound/)
    ok(await server.kubectl(['patch', 'exp', name, '--type', 'merge', '--dry-run=server', '-p', '{"spec":{"maxTrialCount":99}}']))
    ok(await server.kubectl(['delete', 'exp', name, '--dry-run=server']))
    assert.equal((await getJson(name)).spec.maxTrialCount, 12)
  })

  test('namespaces: -n creates there, another namespace does not find it, -A lists all, --chunk-size pages through continue tokens', async () => {
    const namespace = uniqueName('ns')
    const names = [uniqueName('c1'), uniqueName('c2'), uniqueName('c3')]
    for (const name of names) await createFrom(name, namespace)
    failed(await server.kubectl(['get', 'exp', names[0]!, '-n', 'default']), /NotFound/)
    const listed = ok(await server.kubectl(['get', 'exp', '-n', namespace, '--chunk-size=1', '-o', 'name'])).trim().split('\n')
    assert.deepEqual(listed.sort(), names.map((n) => `experiment.kubeflow.org/${n}`).sort())
    const all = ok(await server.kubectl(['get', 'exp', '-A', '--chunk-size=2', '--no-headers'])).trim().split('\n')
    for (const name of names) assert.ok(all.some((line) => line.startsWith(`${namespace}`) && line.includes(name)), all.join('\n'))
    assert.equal(ok(await server.kubectl(['get', 'exp', names[1]!, '-n', namespace, '-o', 'jsonpath={.metadata.namespace}/{.spec.maxTrialCount}'])), `${namespace}/10`)
  })

  test('get -o yaml edited and applied back changes the budget; once stale it is 409; an invalid file names each field', async () => {
    const name = uniqueName('roundtrip')
    await createFrom(name)
    const saved = parse(ok(await server.kubectl(['get', 'exp', name, '-o', 'yaml']))) as Record<string, any>
    saved.spec.maxTrialCount = 16
    const file = server.file(`${name}-saved.json`, JSON.stringify(saved))
    assert.equal(ok(await server.kubectl(['apply', '-f', file])).trim(), `experiment.kubeflow.org/${name} configured`)
    assert.equal(ok(await server.kubectl(['get', 'exp', name, '-o', 'jsonpath={.spec.maxTrialCount}'])), '16')
    ok(await server.kubectl(['patch', 'exp', name, '--type', 'merge', '-p', '{"spec":{"maxFailedTrialCount":2}}']))
    // The saved file's resourceVersion is older than the object's now.
    failed(await server.kubectl(['apply', '-f', file]), /Conflict.*the object has been modified; please apply your changes to the latest version and try again/s)

    const broken = parse(experimentYaml(uniqueName('broken'), { template: false })) as Record<string, any>
    broken.spec.maxTrialCount = -1
    broken.spec.parameters[0].feasibleSpace = { min: '0.5', max: '0.1' }
    broken.spec.objective.type = 'minimise'
    const refused = await server.kubectl(['create', '-f', server.file('broken.json', JSON.stringify(broken))])
    failed(refused, new RegExp(`The Experiment "${broken.metadata.name}" is invalid`))
    for (const field of ['spec.maxTrialCount', 'spec.parameters[0].feasibleSpace', 'spec.objective.type']) {
      assert.ok(refused.stderr.includes(`* ${field}`), `${field} named on its own line\n${refused.stderr}`)
    }
  })

  test('the status subresource is read-only; a delete waits until the experiment is gone', async () => {
    const name = uniqueName('status')
    await createFrom(name)
    failed(await server.kubectl(['patch', 'exp', name, '--subresource=status', '--type', 'merge', '-p', '{"status":{"trials":5}}']), /Forbidden/)
    assert.equal(ok(await server.kubectl(['delete', 'exp', name, '--timeout=60s'], { timeoutMs: 90_000 })).trim(), `experiment.kubeflow.org "${name}" deleted`)
    failed(await server.kubectl(['get', 'exp', name]), /NotFound/)
  })
})
