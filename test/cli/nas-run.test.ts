/**
 * Neural architecture search end to end: `tunewell run` and `tunewell serve` as child processes,
 * trials that get Katib's --architecture and --nn_config through a Katib Job template (the
 * `--architecture="${trialParameters.x}"` quoting of Katib's NAS examples), the best
 * architecture in the summary, and a kill -9 mid-experiment that the rerun finishes.
 */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArchitecture } from '../../core/nas/architecture-assignment.ts'
import { expandNasConfig } from '../../core/nas/expand-nas-config.ts'
import { formatNnConfig } from '../../core/nas/nn-config-assignment.ts'
import type { NasConfig } from '../../core/spec/index.ts'
import type { TrialRecord } from '../../db/store.ts'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'
import { startServe } from '../helpers/serve-process.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const trialProgram = fileURLToPath(new URL('../fixtures/trials/nas-trial.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-nas-'))
const suffix = Date.now().toString(36)
const created: string[] = []
after(() => deleteCliExperiments(home, created))

const NAS_CONFIG = `  nasConfig:
    graphConfig:
      numLayers: 3
      inputSizes: [32, 32, 3]
      outputSizes: [10]
    operations:
      - operationType: convolution
        parameters:
          - {name: filter_size, parameterType: categorical, feasibleSpace: {list: ["3", "5", "7"]}}
          - {name: num_filter, parameterType: categorical, feasibleSpace: {list: ["32", "64"]}}
      - operationType: separable_convolution
        parameters:
          - {name: filter_size, parameterType: categorical, feasibleSpace: {list: ["3", "5"]}}
      - operationType: reduction
        parameters:
          - {name: reduction_type, parameterType: categorical, feasibleSpace: {list: [max_pooling, avg_pooling]}}
          - {name: pool_size, parameterType: int, feasibleSpace: {min: "2", max: "3", step: "1"}}
`

/** An experiment shaped like Katib's enas-cpu example: a Job whose container gets the quoted assignments. */
function experimentYaml(name: string, algorithm: string, options: { max: number; parallel: number; sleepMs?: number; settings?: string }): string {
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  parallelTrialCount: ${options.parallel}
  maxTrialCount: ${options.max}
  maxFailedTrialCount: 1
  objective:
    type: maximize
    objectiveMetricName: Validation-Accuracy
  algorithm:
    algorithmName: ${algorithm}
${options.settings ?? ''}${NAS_CONFIG}  trialTemplate:
    primaryContainerName: training-container
    trialParameters:
      - name: neuralNetworkArchitecture
        reference: architecture
      - name: neuralNetworkConfig
        reference: nn_config
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: training-container
                image: docker.io/library/node:20
                command:
                  - ${JSON.stringify(process.execPath)}
                  - ${JSON.stringify(trialProgram)}
                  - --sleep-ms=${options.sleepMs ?? 0}
                  - --architecture="\${trialParameters.neuralNetworkArchitecture}"
                  - --nn_config="\${trialParameters.neuralNetworkConfig}"
            restartPolicy: Never
`
}

function writeExperiment(name: string, yaml: string): string {
  created.push(name)
  const file = join(home, `${name}.yaml`)
  writeFileSync(file, yaml)
  return file
}

function cli(args: readonly string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: home, encoding: 'utf8', env: process.env, timeout: 240_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

async function trialsOf(name: string): Promise<TrialRecord[]> {
  return withCliStore(home, async (store) => store.trials.list((await store.experiments.getByName(name))!.id))
}

const space = expandNasConfig({
  graphConfig: { numLayers: 3, inputSizes: [32, 32, 3], outputSizes: [10] },
  operations: [
    { operationType: 'convolution', parameters: [{ name: 'filter_size', parameterType: 'categorical', feasibleSpace: { list: ['3', '5', '7'] } }, { name: 'num_filter', parameterType: 'categorical', feasibleSpace: { list: ['32', '64'] } }] },
    { operationType: 'separable_convolution', parameters: [{ name: 'filter_size', parameterType: 'categorical', feasibleSpace: { list: ['3', '5'] } }] },
    { operationType: 'reduction', parameters: [{ name: 'reduction_type', parameterType: 'categorical', feasibleSpace: { list: ['max_pooling', 'avg_pooling'] } }, { name: 'pool_size', parameterType: 'int', feasibleSpace: { min: '2', max: '3', step: '1' } }] },
  ],
} satisfies NasConfig)

/** Each trial's params are Katib's two strings, and the program received exactly them. */
function assertKatibAssignments(trial: TrialRecord, experiment: string): void {
  const text = trial.params['architecture'] as string
  const architecture = parseArchitecture(text, space)
  assert.equal(trial.params['nn_config'], formatNnConfig(space, architecture))
  const log = readFileSync(join(home, '.tunewell', 'runs', experiment, trial.name, 'output.log'), 'utf8')
  assert.ok(log.includes(`>>> arch received by trial\n${JSON.stringify(architecture)}`), log)
}

describe('NAS from the command line and the API', () => {
  test('run: an architecture search over a Katib Job template succeeds and shows the best architecture layer by layer', { timeout: 300_000 }, async () => {
    const name = `nas-random-${suffix}`
    const result = cli(['run', writeExperiment(name, experimentYaml(name, 'random', { max: 5, parallel: 2 }))])
    assert.equal(result.code, 0, result.stderr + result.stdout)
    assert.match(result.stdout, /experiment "nas-random-[a-z0-9]+" Succeeded: ExperimentMaxTrialsReached/)
    assert.match(result.stdout, /TRIAL\s+STATE\s+architecture\s+Validation-Accuracy/)
    const best = /best trial (\S+): Validation-Accuracy=\S+\n {2}architecture = (\[\[.*\]\])\n((?: {4}layer \d: .*\n){3})/.exec(result.stdout)
    assert.ok(best, result.stdout)
    const architecture = parseArchitecture(best[2]!, space)
    best[3]!.trimEnd().split('\n').forEach((line, i) => {
      const operation = space.operations[architecture[i]![0]!]!
      // Katib's numbering: layer 0 is the input, row i is layer i + 1.
      assert.ok(line.startsWith(`    layer ${i + 1}: ${operation.type} ${Object.entries(operation.params).map(([k, v]) => `${k}=${v}`).join(' ')}`), line)
      const skips = architecture[i]!.slice(1).flatMap((bit, k) => (bit ? [k === 0 ? 'the input' : `layer ${k}`] : []))
      if (skips.length > 0) assert.ok(line.endsWith(`, skips from ${skips.join(', ')}`), line)
      else assert.doesNotMatch(line, /skips/)
    })
    const trials = await trialsOf(name)
    assert.equal(trials.length, 5)
    for (const trial of trials) {
      assert.equal(trial.state, 'Succeeded')
      assertKatibAssignments(trial, name)
    }
    assert.equal(trials.find((t) => t.name === best[1])!.objective, Math.max(...trials.map((t) => t.objective!)))
  })

  test('kill -9 of an enas run, run again: no trial lost or duplicated, and the policy resumes from its stored state', { timeout: 300_000 }, async () => {
    const name = `nas-enas-${suffix}`
    // A small controller trained 2 steps per batch of results, each step logged: the log is the policy's history.
    const settings = `    algorithmSettings:
      - {name: controller_hidden_size, value: "16"}
      - {name: controller_train_steps, value: "2"}
      - {name: controller_log_every_steps, value: "1"}
`
    const file = writeExperiment(name, experimentYaml(name, 'enas', { max: 8, parallel: 2, sleepMs: 400, settings }))
    const child = spawn(process.execPath, [bin, 'run', file], { cwd: home, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress: ${output}`)), 120_000)
      child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (/trials done [4-6],/.test(output)) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('close', resolve))
    type Policy = { adamStep: number; trialsLearned: number; log: unknown[] }
    const snapshot = () => withCliStore(home, async (store) => {
      const record = (await store.experiments.getByName(name))!
      const saved = await store.algorithmStates.get(record.id)
      return { record, trials: await store.trials.list(record.id), policy: (saved?.state as { algorithm: Policy }).algorithm }
    })
    const before = await snapshot()
    const finishedBefore = before.trials.filter((t) => t.state === 'Succeeded')
    assert.ok(finishedBefore.length >= 3 && before.trials.length < 8, `killed mid-run: ${before.trials.map((t) => t.state)}`)
    assert.ok(before.policy.trialsLearned > 0 && before.policy.log.length > 0, 'the policy had learned before the kill')

    const rerun = cli(['run', file])
    assert.equal(rerun.code, 0, rerun.stderr + rerun.stdout)
    assert.match(rerun.stdout, /resuming experiment/)
    assert.match(rerun.stdout, /best trial \S+: Validation-Accuracy=\S+\n {2}architecture = \[\[/)
    const afterwards = await snapshot()
    assert.equal(afterwards.record.state, 'Succeeded')
    assert.deepEqual(afterwards.trials.map((t) => t.number), [0, 1, 2, 3, 4, 5, 6, 7])
    assert.equal(new Set(afterwards.trials.map((t) => t.name)).size, 8)
    for (const trial of afterwards.trials) {
      assert.equal(trial.state, 'Succeeded')
      assertKatibAssignments(trial, name)
    }
    for (const trial of before.trials) {
      const now = afterwards.trials.find((t) => t.id === trial.id)!
      assert.deepEqual(now.params, trial.params, 'a trial keeps its architecture across the restart')
      if (trial.state === 'Succeeded') assert.equal(now.objective, trial.objective, 'finished trials are untouched')
    }
    // The policy went on from the stored one: its training log before the kill is the start of
    // the log after (a fresh policy would have logged other losses from step 1), and it trained more.
    assert.deepEqual(afterwards.policy.log.slice(0, before.policy.log.length), before.policy.log)
    assert.ok(afterwards.policy.adamStep > before.policy.adamStep, `${afterwards.policy.adamStep} > ${before.policy.adamStep}`)
    assert.ok(afterwards.policy.trialsLearned > before.policy.trialsLearned)
  })

  test('serve: enas and evolution experiments submitted through the API run to Succeeded and their trials carry Katib\'s assignments', { timeout: 600_000 }, async () => {
    const serveHome = mkdtempSync(join(tmpdir(), 'tunewell-nas-serve-'))
    // serve has taken two minutes to start on a two-core machine under load.
    const server = await startServe(['--home', serveHome], 300_000)
    const submitted = [
      { name: `nas-serve-evolution-${suffix}`, algorithm: 'evolution', settings: '    algorithmSettings:\n      - {name: population_size, value: "2"}\n      - {name: sample_size, value: "2"}\n' },
      { name: `nas-serve-enas-${suffix}`, algorithm: 'enas', settings: '    algorithmSettings:\n      - {name: controller_hidden_size, value: "16"}\n      - {name: controller_train_steps, value: "2"}\n' },
    ]
    try {
      for (const { name, algorithm, settings } of submitted) {
        const body = experimentYaml(name, algorithm, { max: 4, parallel: 2, settings })
        const posted = await fetch(`${server.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body })
        assert.equal(posted.status, 201, await posted.clone().text())
      }
      for (const { name } of submitted) {
        let resource: { status: { state: string; trialsSucceeded?: number; currentOptimalTrial?: { bestTrialName?: string; parameterAssignments?: { name: string; value: string }[] } } } | undefined
        const deadline = Date.now() + 240_000
        while (Date.now() < deadline) {
          resource = await (await fetch(`${server.url}/api/v1/experiments/${name}`)).json() as typeof resource
          if (resource!.status.state === 'Succeeded' || resource!.status.state === 'Failed') break
          await sleep(300)
        }
        assert.equal(resource?.status.state, 'Succeeded', name + JSON.stringify(resource?.status) + server.output.err)
        assert.equal(resource!.status.trialsSucceeded, 4)
        const best = resource!.status.currentOptimalTrial!
        const assigned = new Map((best.parameterAssignments ?? []).map((a) => [a.name, a.value]))
        const architecture = parseArchitecture(assigned.get('architecture')!, space)
        assert.equal(assigned.get('nn_config'), formatNnConfig(space, architecture))
        const trials = await (await fetch(`${server.url}/api/v1/experiments/${name}/trials`)).json() as { items: { name: string; parameterAssignments: { name: string; value: string }[] }[] }
        assert.equal(trials.items.length, 4)
        for (const trial of trials.items) {
          assert.deepEqual(trial.parameterAssignments.map((a) => a.name).sort(), ['architecture', 'nn_config'])
          const log = await (await fetch(`${server.url}/api/v1/experiments/${name}/trials/${trial.name}/logs`)).text()
          const text = trial.parameterAssignments.find((a) => a.name === 'architecture')!.value
          assert.ok(log.includes(`>>> arch received by trial\n${JSON.stringify(parseArchitecture(text, space))}`), log)
        }
        // `tunewell trials` against the server: the architecture column, as run's table has it.
        const listed = cli(['trials', name, '--server', server.url])
        assert.equal(listed.code, 0, listed.stderr)
        assert.match(listed.stdout, /TRIAL\s+STATE\s+architecture\s+Validation-Accuracy/)
        for (const trial of trials.items) assert.ok(listed.stdout.includes(trial.parameterAssignments.find((a) => a.name === 'architecture')!.value), listed.stdout)
        assert.equal((await fetch(`${server.url}/api/v1/experiments/${name}`, { method: 'DELETE' })).status, 204)
      }
    } finally {
      await server.stop()
    }
  })
})

