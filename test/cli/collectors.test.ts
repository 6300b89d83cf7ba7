import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Store, TrialRecord } from '../../db/store.ts'
import { withCliStore, deleteCliExperiments } from '../helpers/cli-store.ts'

/**
 * The TensorFlowEvent, PrometheusMetric and Custom collectors end to end, as a user meets them:
 * `tunewell run FILE` with parallel local trials, each reading its own event folder, port or file.
 * Each experiment runs in a folder (and so an embedded database) of its own, all three at once.
 */
const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/trials/${name}`, import.meta.url))
const suffix = Date.now().toString(36)
const homes = new Map<string, string>()

after(() => Promise.all([...homes].map(([name, home]) => deleteCliExperiments(home, [name]))))

function experimentFile(name: string, body: string, metadata = '', trials = 2): string {
  const home = mkdtempSync(join(tmpdir(), `tunewell-collectors-${name.split('-')[0]}-`))
  homes.set(name, home)
  const file = join(home, `${name}.yaml`)
  writeFileSync(file, `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
${metadata}spec:
  algorithm: {algorithmName: random}
  maxTrialCount: ${trials}
  parallelTrialCount: ${trials}
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0.1", max: "0.5"}}
${body}`)
  return file
}

function run(file: string, args: readonly string[] = []): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'run', file, ...args], { cwd: join(file, '..'), env: process.env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c))
    child.stderr.on('data', (c: Buffer) => (stderr += c))
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

async function trialsOf(name: string, work: (store: Store, trials: TrialRecord[]) => Promise<void>): Promise<void> {
  await withCliStore(homes.get(name)!, async (store) => {
    const experiment = await store.experiments.getByName(name)
    assert.ok(experiment, name)
    await work(store, await store.trials.list(experiment.id))
  })
}

const values = async (store: Store, trial: TrialRecord, metric: string) => (await store.observations.list(trial.id, [metric])).map((p) => [p.step, p.value])
const float32 = (x: number) => Math.fround(x)

describe('tunewell run: TensorFlowEvent, PrometheusMetric and Custom collectors on local trials', () => {
  test('all three, with parallel trials, each on its own event folder, port and metrics file; a trial that never opens its port gets a note', { timeout: 240_000 }, async () => {
    // TensorFlowEvent: Katib's absolute event folder, named in the args; each trial writes and is read in its own copy.
    const tfName = `tfevent-${suffix}`
    const tfDir = `/tunewell-tfevents-${suffix}/test`
    const tf = experimentFile(tfName, `  objective: {type: minimize, objectiveMetricName: loss, additionalMetricNames: [accuracy]}
  metricsCollectorSpec:
    collector: {kind: TensorFlowEvent}
    source: {fileSystemPath: {path: ${tfDir}, kind: Directory}}
  trialTemplate:
    command: ["${process.execPath}", "${fixture('tfevent-metrics.mjs')}", "--x=\${trialParameters.x}", "--logdir=${tfDir}", "--steps=3", "--sleep-ms=100"]
`)
    // PrometheusMetric: both trials named port 8080 in their args; each got a free one. A label selects the series.
    const promName = `prometheus-${suffix}`
    const prom = experimentFile(promName, `  objective: {type: maximize, objectiveMetricName: 'accuracy{split="test"}', additionalMetricNames: [loss]}
  metricsCollectorSpec:
    collector: {kind: PrometheusMetric}
    source: {httpGet: {port: 8080, path: /metrics}}
  trialTemplate:
    command: ["${process.execPath}", "${fixture('prometheus-metrics.mjs')}", "--x=\${trialParameters.x}", "--port=8080", "--steps=3", "--sleep-ms=400", "--linger-ms=700"]
`, '  annotations: {tunewell.dev/scrape-interval: 150ms}\n')
    // Custom: Katib's collector container with a local command; it reads the trial's output on
    // stdin and, told by its args, the trial's own copy of the file the trial wrote.
    const customName = `custom-${suffix}`
    const customFile = `/tunewell-custom-${suffix}/epochs.log`
    const custom = experimentFile(customName, `  objective: {type: minimize, objectiveMetricName: loss, additionalMetricNames: [accuracy]}
  metricsCollectorSpec:
    source: {fileSystemPath: {path: ${customFile}, kind: File}}
    collector:
      kind: Custom
      customCollector:
        name: my-collector
        image: example.com/my-collector:latest
        command: ["${process.execPath}", "${fixture('custom-collector.mjs')}"]
        args: [-path, ${customFile}]
        env: [{name: TrialName, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
  trialTemplate:
    primaryContainerName: training
    trialParameters: [{name: x, reference: x}]
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            restartPolicy: Never
            containers:
              - name: training
                image: example.com/train:latest
                command: ["${process.execPath}", "${fixture('custom-format.mjs')}", "--x=\${trialParameters.x}", "--log-path=${customFile}"]
`)
    // PrometheusMetric, a trial that never opens its port: a note that says where it was looked for.
    const silentName = `prometheus-silent-${suffix}`
    const silent = experimentFile(silentName, `  objective: {type: minimize, objectiveMetricName: loss}
  metricsCollectorSpec:
    collector: {kind: PrometheusMetric}
    source: {httpGet: {port: 9, path: /stats}}
  trialTemplate:
    command: ["${process.execPath}", "${fixture('prometheus-metrics.mjs')}", "--x=\${trialParameters.x}", "--no-listen", "--steps=2", "--sleep-ms=0", "--linger-ms=300"]
`, '  annotations: {tunewell.dev/scrape-interval: 100ms}\n', 1)
    const [tfRun, promRun, customRun, silentRun] = await Promise.all([run(tf), run(prom), run(custom), run(silent)])

    assert.match(silentRun.stdout, /MetricsUnavailable/, silentRun.stderr + silentRun.stdout)
    await trialsOf(silentName, async (_store, [trial]) => {
      assert.equal(trial?.state, 'MetricsUnavailable')
      assert.match(trial?.message ?? '', /objective metric "loss" was never reported; the PrometheusMetric collector got no answer from http:\/\/127\.0\.0\.1:9\/stats \(ECONNREFUSED\)/)
    })

    assert.equal(tfRun.status, 0, tfRun.stderr + tfRun.stdout)
    assert.equal(existsSync(`/tunewell-tfevents-${suffix}`), false, 'the shared absolute folder is never written')
    await trialsOf(tfName, async (store, trials) => {
      assert.equal(trials.length, 2)
      for (const trial of trials) {
        const x = Number(trial.params.x)
        assert.equal(trial.state, 'Succeeded', trial.message ?? '')
        // The event file stores float32 values; each trial read its own folder's three steps.
        assert.deepEqual(await values(store, trial, 'loss'), [[1, float32(x)], [2, float32(x)], [3, float32(x)]])
        assert.deepEqual(await values(store, trial, 'accuracy'), [[1, float32(1 - x)], [2, float32(1 - x)], [3, float32(1 - x)]])
        assert.equal(trial.objective, float32(x))
      }
    })

    assert.equal(promRun.status, 0, promRun.stderr + promRun.stdout)
    await trialsOf(promName, async (store, trials) => {
      assert.equal(trials.length, 2)
      for (const trial of trials) {
        const x = Number(trial.params.x)
        assert.equal(trial.state, 'Succeeded', trial.message ?? '')
        // Three distinct values served, each scraped at least once; unchanged scrapes add nothing.
        const loss = await values(store, trial, 'loss')
        assert.deepEqual(loss.map(([, v]) => v), [x + 0.2, x + 0.1, x].map((v) => Number(String(v))), `${trial.name}: ${JSON.stringify(loss)}`)
        assert.deepEqual(loss.map(([s]) => s), [0, 1, 2])
        assert.equal(trial.metrics?.loss?.latest, x)
        assert.equal(trial.objective, 1 - x, 'maximize: the best of accuracy{split="test"}, not the train series')
      }
    })

    assert.equal(customRun.status, 0, customRun.stderr + customRun.stdout)
    assert.equal(existsSync(`/tunewell-custom-${suffix}`), false, 'the shared absolute file is never written')
    await trialsOf(customName, async (store, trials) => {
      assert.equal(trials.length, 2)
      for (const trial of trials) {
        const x = Number(trial.params.x)
        assert.equal(trial.state, 'Succeeded', trial.message ?? '')
        assert.deepEqual((await values(store, trial, 'loss')).map(([, v]) => v), [x + 0.2, x + 0.1, x].map((v) => Number(String(v))), 'from stdin')
        assert.deepEqual((await values(store, trial, 'accuracy')).map(([, v]) => v), [1 - (x + 0.2), 1 - (x + 0.1), 1 - x], 'from the file')
        assert.equal(trial.objective, x)
        const trialDir = join(homes.get(customName)!, '.tunewell', 'runs', customName, trial.name)
        assert.match(readFileSync(join(trialDir, 'collector.log'), 'utf8'), new RegExp(`collector of ${trial.name} read ${trialDir}/root${customFile}`))
      }
    })
  })

  test('validate: parallel trials on one port, a Custom collector without a command and a bad scrape interval are told with file:line:col', () => {
    const file = experimentFile(`refused-${suffix}`, `  objective: {type: minimize, objectiveMetricName: loss}
  metricsCollectorSpec:
    collector: {kind: PrometheusMetric}
    source: {httpGet: {port: 9100, path: /metrics}}
  trialTemplate:
    command: ["${process.execPath}", "${fixture('prometheus-metrics.mjs')}", "--x=\${trialParameters.x}"]
`, '  annotations: {tunewell.dev/scrape-interval: often}\n')
    const result = spawnSync(process.execPath, [bin, 'validate', file], { encoding: 'utf8', env: process.env, timeout: 60_000 })
    const out = result.stdout + result.stderr
    assert.match(out, /:\d+:\d+ \/spec\/metricsCollectorSpec\/source\/httpGet\/port: parallel trials \(parallelTrialCount 2\) would all serve their metrics on port 9100/)
    assert.match(out, /:\d+:\d+ \/metadata\/annotations\/tunewell.dev~1scrape-interval: annotation tunewell.dev\/scrape-interval: "often" is no scrape interval/)

    const custom = experimentFile(`refused-custom-${suffix}`, `  objective: {type: minimize, objectiveMetricName: loss}
  metricsCollectorSpec:
    collector: {kind: Custom, customCollector: {name: c, image: c, args: [-m, loss], env: [{name: S, valueFrom: {secretKeyRef: {name: s, key: k}}}]}}
  trialTemplate:
    command: ["${process.execPath}", "${fixture('quadratic.mjs')}", "--x=\${trialParameters.x}"]
`)
    const refused = spawnSync(process.execPath, [bin, 'run', custom], { cwd: join(custom, '..'), encoding: 'utf8', env: process.env, timeout: 60_000 })
    assert.equal(refused.status, 2, refused.stderr)
    assert.match(refused.stderr, /:\d+:\d+ \/spec\/metricsCollectorSpec\/collector\/customCollector\/command: a Custom collector runs locally as its command \+ args/)
    assert.match(refused.stderr, /\/spec\/metricsCollectorSpec\/collector\/customCollector\/env\/0: env S takes its value from the cluster/)
  })
})
