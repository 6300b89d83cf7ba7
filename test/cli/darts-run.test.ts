/**
 * DARTS end to end, with Katib's darts-cpu example's spec (its command replaced by a Node trial
 * shaped like Katib's run_trial.py): `tunewell run` gives the trial Katib's three assignments,
 * the trial's string objective (`Best-Genotype=Genotype(...)`, filter `([\w-]+)=(Genotype.*)`)
 * is stored as text, the trial and the experiment succeed, and the genotype is shown by run's
 * summary, `trials`, `get` and the API's JSON. A numeric algorithm given the same text objective
 * still leaves its trial MetricsUnavailable.
 */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TrialView } from '../../api/schemas/trial.ts'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'
import { startServe } from '../helpers/serve-process.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const trialProgram = fileURLToPath(new URL('../fixtures/trials/darts-trial.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-darts-'))
const suffix = Date.now().toString(36)
const created: string[] = []
after(() => deleteCliExperiments(home, created))

const GENOTYPE = /Genotype\(normal=\[\[\('[a-z_0-9]+',\d\).*\)\]\],normal_concat=range\(2,4\),reduce=.*reduce_concat=range\(2,4\)\)/

/** Katib's darts-cpu.yaml, num_nodes 2 and two operations, the trial a Node program. */
function dartsYaml(name: string, algorithm = 'darts'): string {
  const search = algorithm === 'darts'
    ? `  nasConfig:
    graphConfig:
      numLayers: 1
    operations:
      - operationType: max_pooling
        parameters:
          - name: filter_size
            parameterType: categorical
            feasibleSpace:
              list:
                - "3"
      - operationType: skip_connection
`
    : `  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: {min: "0.01", max: "0.1"}
`
  const settings = algorithm === 'darts'
    ? `    algorithmSettings:
      - name: num_epochs
        value: "2"
      - name: num_nodes
        value: "2"
      - name: init_channels
        value: "1"
      - name: stem_multiplier
        value: "1"
`
    : ''
  const args = algorithm === 'darts'
    ? `                  - --algorithm-settings="\${trialParameters.algorithmSettings}"
                  - --search-space="\${trialParameters.searchSpace}"
                  - --num-layers="\${trialParameters.numberLayers}"`
    : `                  - --fixed
                  - --lr=\${trialParameters.lr}`
  const trialParameters = algorithm === 'darts'
    ? `      - name: algorithmSettings
        description: Algorithm settings of DARTS Experiment
        reference: algorithm-settings
      - name: searchSpace
        description: Search Space of DARTS Experiment
        reference: search-space
      - name: numberLayers
        description: Number of Neural Network layers
        reference: num-layers
`
    : `      - name: lr
        reference: lr
`
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  parallelTrialCount: 1
  maxTrialCount: 1
  maxFailedTrialCount: 1
  objective:
    type: maximize
    objectiveMetricName: Best-Genotype
  metricsCollectorSpec:
    collector:
      kind: StdOut
    source:
      filter:
        metricsFormat:
          - "([\\\\w-]+)=(Genotype.*)"
  algorithm:
    algorithmName: ${algorithm}
${settings}${search}  trialTemplate:
    primaryContainerName: training-container
    trialParameters:
${trialParameters}    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: training-container
                image: ghcr.io/kubeflow/katib/darts-cnn-cifar10-cpu:latest
                command:
                  - ${JSON.stringify(process.execPath)}
                  - ${JSON.stringify(trialProgram)}
${args}
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

describe('DARTS from the command line and the API', () => {
  const name = `darts-cpu-${suffix}`

  test('run: a darts experiment succeeds with the genotype its trial reported as the best trial\'s objective', async () => {
    const result = cli(['run', writeExperiment(name, dartsYaml(name))])
    assert.equal(result.code, 0, result.stderr + result.stdout)
    assert.match(result.stdout, new RegExp(`experiment "${name}" Succeeded: ExperimentMaxTrialsReached`))
    assert.match(result.stdout + result.stderr, /trials done 1, running 0, failed 0, best Best-Genotype=Genotype\(normal=.{24}…\n/)
    const best = /best trial (\S+): Best-Genotype=(\S+)\n/.exec(result.stdout)
    assert.ok(best, result.stdout)
    assert.match(best[2]!, GENOTYPE)
    // The trial table's objective column holds the same text.
    assert.ok(result.stdout.includes(`${best[1]}  Succeeded  ${best[2]}`), result.stdout)

    const { trial, points } = await withCliStore(home, async (store) => {
      const record = (await store.experiments.getByName(name))!
      const [trial] = await store.trials.list(record.id)
      assert.equal(record.bestTrialId, trial!.id)
      return { trial: trial!, points: await store.observations.list(trial!.id) }
    })
    assert.equal(trial.state, 'Succeeded')
    assert.equal(trial.objective, null)
    assert.deepEqual(trial.textMetrics, { 'Best-Genotype': best[2] })
    assert.equal(points.length, 1)
    assert.equal(points[0]!.text, best[2])
    // The trial received Katib's assignments: its log shows the settings it parsed, defaults as numbers.
    const log = readFileSync(join(home, '.tunewell', 'runs', name, trial.name, 'output.log'), 'utf8')
    assert.ok(log.includes('>>> Algorithm settings {"num_epochs":"2","w_lr":0.025,'), log)
    assert.ok(log.includes("('max_pooling_3x3',") && log.includes("('skip_connection',"), log)
    assert.deepEqual(trial.params, {
      'algorithm-settings': "{'num_epochs': '2', 'w_lr': 0.025, 'w_lr_min': 0.001, 'w_momentum': 0.9, 'w_weight_decay': 0.0003, 'w_grad_clip': 5.0, 'alpha_lr': 0.0003, 'alpha_weight_decay': 0.001, 'batch_size': 128, 'num_workers': 4, 'init_channels': '1', 'print_step': 50, 'num_nodes': '2', 'stem_multiplier': '1'}",
      'search-space': "['max_pooling_3x3', 'skip_connection']",
      'num-layers': '1',
    })
  })

  test('serve: trials, get and the API\'s JSON show the genotype', { timeout: 300_000 }, async () => {
    const genotype = await withCliStore(home, async (store) => {
      const record = (await store.experiments.getByName(name))!
      return (await store.trials.list(record.id))[0]!.textMetrics!['Best-Genotype']!
    })
    const server = await startServe(['--home', home])
    try {
      const trials = cli(['trials', name, '--server', server.url])
      assert.equal(trials.code, 0, trials.stderr)
      assert.match(trials.stdout, /TRIAL\s+STATE\s+Best-Genotype/)
      assert.ok(trials.stdout.includes(`Succeeded  ${genotype}`), trials.stdout)
      const details = cli(['get', name, '--server', server.url])
      assert.equal(details.code, 0, details.stderr)
      assert.ok(details.stdout.includes(`  Best-Genotype = ${genotype}`), details.stdout)

      const page = await (await fetch(`${server.url}/api/v1/experiments/${name}/trials`)).json() as { items: TrialView[] }
      assert.equal(page.items.length, 1)
      assert.equal(page.items[0]!.objective, null)
      assert.deepEqual(page.items[0]!.observation.textMetrics, [{ name: 'Best-Genotype', latest: genotype }])
      const resource = await (await fetch(`${server.url}/api/v1/experiments/${name}`)).json() as { status: { currentOptimalTrial: { bestTrialName: string; observation: { textMetrics?: unknown } } } }
      assert.equal(resource.status.currentOptimalTrial.bestTrialName, page.items[0]!.name)
      assert.deepEqual(resource.status.currentOptimalTrial.observation.textMetrics, [{ name: 'Best-Genotype', latest: genotype }])
    } finally {
      await server.stop()
    }
  })

  test('run: a numeric algorithm whose objective is reported only as text leaves the trial MetricsUnavailable, saying so', () => {
    const numeric = `darts-text-random-${suffix}`
    const result = cli(['run', writeExperiment(numeric, dartsYaml(numeric, 'random'))])
    assert.equal(result.code, 1, result.stderr + result.stdout)
    assert.match(result.stdout, /MetricsUnavailable/)
    assert.match(result.stdout + result.stderr, /objective metric "Best-Genotype" was reported only as text \(latest "Genotype\(/)
  })
})
