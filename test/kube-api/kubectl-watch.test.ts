import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { quadraticExperimentYaml, type QuadraticOptions } from '../helpers/experiment-yaml.ts'
import { KubectlServe, kubectlSkip, type CommandResult, type RunningCommand } from '../helpers/kubectl-serve.ts'
import { uniqueName } from '../helpers/test-app.ts'

const skip = kubectlSkip()

// kubectl reads YAML 1.1, where a bare `y` is the boolean true: the parameter's name is quoted.
const PARAMETERS = `    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: "y", parameterType: double, feasibleSpace: {min: "0", max: "1"}}`
const experimentYaml = (o: QuadraticOptions) => quadraticExperimentYaml({ ...o, parameters: PARAMETERS })

function ok(result: CommandResult): string {
  assert.equal(result.code, 0, `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`)
  return result.stdout
}

/** Waits until a running kubectl printed a line satisfying `predicate`. */
async function printed(command: RunningCommand, predicate: (line: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const line = command.output.stdout.split('\n').find(predicate)
    if (line !== undefined) return line
    if (Date.now() > end) throw new Error(`kubectl did not print ${what} within ${timeoutMs} ms\nstdout:\n${command.output.stdout}\nstderr:\n${command.output.stderr}`)
    await sleep(100)
  }
}

// The real kubectl (1.27 or later) against a `tunewell serve` child, through the kubeconfig
// `tunewell kubeconfig` prints: the watches kubectl opens itself (get -w, wait, delete).
describe('kubectl watches against tunewell serve', { skip }, () => {
  let server: KubectlServe
  const running: RunningCommand[] = []
  const watchCommand = (args: readonly string[]) => {
    const command = server.kubectlRunning(args)
    running.push(command)
    return command
  }

  before(async () => {
    server = await KubectlServe.start()
  })
  after(async () => {
    for (const command of running) await command.stop()
    await server?.stop()
  })

  test('kubectl get exp -w prints each change as it happens: ADDED, MODIFIED after a patch, DELETED after a delete', { timeout: 240_000 }, async () => {
    const name = uniqueName('kw')
    const watch = watchCommand(['get', 'experiments', '--watch', '--output-watch-events'])
    // The watch is open once kubectl printed its (empty) list or its first row; give it a moment to list.
    await sleep(1500)
    // LongRunning: on a busy machine both trials may be done before the patch, and a finished
    // experiment takes a new budget only when it can resume (Katib's update rule).
    ok(await server.kubectl(['apply', '-f', server.file(`${name}.yaml`, experimentYaml({ name, max: 2, parallel: 1, extraSpec: '  resumePolicy: LongRunning' }))]))
    const added = await printed(watch, (line) => line.startsWith('ADDED') && line.includes(name), `ADDED ${name}`)
    assert.match(added, /Created|Running|Succeeded/)
    ok(await server.kubectl(['patch', 'experiment', name, '--type', 'merge', '-p', '{"spec":{"maxTrialCount":3}}']))
    await printed(watch, (line) => line.startsWith('MODIFIED') && line.includes(name), `MODIFIED ${name}`)
    ok(await server.kubectl(['wait', '--for=condition=Succeeded', `exp/${name}`, '--timeout=180s'], { timeoutMs: 200_000 }))
    await printed(watch, (line) => line.startsWith('MODIFIED') && line.includes(name) && line.includes('Succeeded'), `${name} Succeeded`)
    ok(await server.kubectl(['delete', 'experiment', name]))
    await printed(watch, (line) => line.startsWith('DELETED') && line.includes(name), `DELETED ${name}`)
    assert.equal(watch.output.stderr.trim(), '', 'kubectl reported nothing on stderr')
  })

  test('kubectl get trials -l … -w sees the trials of one experiment appear and finish', { timeout: 240_000 }, async () => {
    const name = uniqueName('kt')
    const watch = watchCommand(['get', 'trials', '-l', `katib.kubeflow.org/experiment=${name}`, '--watch', '--output-watch-events'])
    await sleep(1500)
    ok(await server.kubectl(['apply', '-f', server.file(`${name}.yaml`, experimentYaml({ name, max: 2, parallel: 2 }))]))
    await printed(watch, (line) => line.startsWith('ADDED') && line.includes(`${name}-`), `a trial of ${name} ADDED`)
    ok(await server.kubectl(['wait', '--for=condition=Succeeded', `exp/${name}`, '--timeout=180s'], { timeoutMs: 200_000 }))
    // A watch coalesces the changes of one poll (docs/kubectl.md): a trial that starts and ends
    // within one poll arrives once, ADDED already Succeeded; otherwise a later MODIFIED says so.
    await printed(watch, (line) => /^(ADDED|MODIFIED)\s/.test(line) && line.includes(`${name}-`) && line.includes('Succeeded'), `a trial of ${name} Succeeded`)
    const trialLines = watch.output.stdout.split('\n').filter((line) => line.includes(`${name}-`))
    assert.ok(trialLines.every((line) => line.includes(name)), 'only this experiment\'s trials')
  })

  test('kubectl wait --for=delete returns once another client deleted the experiment', { timeout: 240_000 }, async () => {
    const name = uniqueName('kd')
    ok(await server.kubectl(['apply', '-f', server.file(`${name}.yaml`, experimentYaml({ name, max: 1, parallel: 1 }))]))
    const wait = watchCommand(['wait', '--for=delete', `experiment/${name}`, '--timeout=120s'])
    await sleep(2000)
    assert.equal(await Promise.race([wait.exited, sleep(10).then(() => 'waiting')]), 'waiting', 'kubectl waits while the experiment exists')
    // Deleted through the REST API: the watch sees it as any deletion (the tombstone).
    const response = await server.rest(`/api/v1/experiments/${name}`, { method: 'DELETE' })
    assert.equal(response.status, 204)
    assert.equal(await Promise.race([wait.exited, sleep(60_000).then(() => 'timed out')]), 0, wait.output.stderr)
    assert.match(wait.output.stdout, new RegExp(`experiment.kubeflow.org/${name} condition met|deleted`))
  })
})
