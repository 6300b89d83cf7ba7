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
  test('run: an architecture search over a Katib Job template succeeds and shows the best architecture layer by layer', async () => {
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
      assert.ok(line.startsWith(`    layer ${i}: ${operation.type} ${Object.entries(operation.params).map(([k, v]) => `${k}=${v}`).join(' ')}`), line)
      const skips = architecture[i]!.slice(1).flatMap((bit, j) => (bit ? [j] : []))
      if (skips.length > 0) assert.match(line, new RegExp(`skips from layers? ${skips.join(', ')}$`))
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
})
