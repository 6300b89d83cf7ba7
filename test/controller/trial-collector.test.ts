import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MetricPoint } from '../../core/metric.ts'
import type { Experiment } from '../../core/spec/index.ts'
import { parseExperimentYaml } from '../../core/spec/index.ts'
import { customCollectorLaunch } from '../../controller/custom-collector-launch.ts'
import { TrialCollector } from '../../controller/trial-collector.ts'
import { buildLocalLaunch } from '../../controller/local-launch.ts'
// @ts-expect-error: a plain JavaScript fixture, written independently of the reader.
import { scalarEvent, tfrecord } from '../fixtures/trials/tfevent-writer.mjs'

const collectorFixture = fileURLToPath(new URL('../fixtures/trials/custom-collector.mjs', import.meta.url))
const katib = (path: string) => readFileSync(fileURLToPath(new URL(`../fixtures/katib/${path}`, import.meta.url)), 'utf8')

function experiment(collector: string, extra = ''): Experiment {
  const parsed = parseExperimentYaml(`apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: collect${extra}}
spec:
  objective: {type: minimize, objectiveMetricName: loss, additionalMetricNames: [accuracy]}
  algorithm: {algorithmName: random}
  parallelTrialCount: 1
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
  metricsCollectorSpec:
${collector}
  trialTemplate:
    command: [node, train.js, "--x=\${trialParameters.x}"]
`)
  if (!parsed.experiment) throw new Error(JSON.stringify(parsed.issues))
  return parsed.experiment
}

/** A store that keeps what is appended, with when. */
function store() {
  const appended: { points: MetricPoint[]; atMs: number }[] = []
  return { appended, append: async (_trial: string, points: readonly MetricPoint[]) => void appended.push({ points: [...points], atMs: Date.now() }) }
}

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

test('TensorFlowEvent on a local trial: the event folder is read while the trial runs, not only at its end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tunewell-collector-tf-'))
  try {
    const spec = experiment('    collector: {kind: TensorFlowEvent}\n    source: {fileSystemPath: {path: /logs, kind: Directory}}')
    const s = store()
    const collector = new TrialCollector(spec, s, 't', { path: dir, inTrialDir: true, directory: true })
    const file = join(dir, 'events.out.tfevents.1.host')
    writeFileSync(file, tfrecord(scalarEvent({ wallTime: 1_700_000_000, step: 1, values: { loss: 0.5 } })))
    // The writer flushes what it has once a point arrives (before finish) within a poll or two.
    await until(() => s.appended.length > 0)
    assert.deepEqual(s.appended.flatMap((a) => a.points.map((p) => `${p.name}@${p.step}=${p.value}`)), ['loss@1=0.5'])
    appendFileSync(file, tfrecord(scalarEvent({ wallTime: 1_700_000_001, step: 2, values: { loss: 0.25, accuracy: 0.5 } })))
    const diagnostics = await collector.finish()
    assert.deepEqual(s.appended.flatMap((a) => a.points.map((p) => `${p.name}@${p.step}=${p.value}`)), ['loss@1=0.5', 'loss@2=0.25', 'accuracy@2=0.5'])
    assert.deepEqual(diagnostics.notes, undefined)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('PrometheusMetric on a local trial: scraped every interval while it runs, and a note when a metric was never served', async () => {
  let body = 'loss 0.5\n'
  const server = createServer((_req, res) => res.end(body))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`
    const spec = experiment('    collector: {kind: PrometheusMetric}')
    const s = store()
    const collector = new TrialCollector(spec, s, 't', undefined, undefined, { scrape: { url, intervalMs: 100 } })
    await until(() => s.appended.length > 0)
    body = 'loss 0.25\n'
    await until(() => s.appended.flatMap((a) => a.points).length >= 2)
    const diagnostics = await collector.finish()
    assert.deepEqual(s.appended.flatMap((a) => a.points.map((p) => `${p.name}@${p.step}=${p.value}`)), ['loss@0=0.5', 'loss@1=0.25'])
    assert.equal(diagnostics.notes?.length, 1)
    assert.match(diagnostics.notes![0]!, /served no sample for metric "accuracy"; it serves loss/)
  } finally {
    server.close()
  }
})

test('Custom on a local trial: the trial\'s lines reach its stdin, its stdout is parsed; a collector that fails says why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tunewell-collector-custom-'))
  try {
    mkdirSync(join(dir, 'trial'))
    const metrics = join(dir, 'trial', 'm.log')
    writeFileSync(metrics, 'val-acc 0.75\n')
    const spec = experiment(`    source: {fileSystemPath: {path: /katib/m.log, kind: File}}
    collector:
      kind: Custom
      customCollector: {name: c, command: [${process.execPath}, ${collectorFixture}], args: [-path, /katib/m.log]}`)
    const ctx = { baseDir: dir, runDir: dir, env: {} }
    const launch = customCollectorLaunch(spec, 'trial', join(dir, 'trial'), ctx, { path: metrics, inTrialDir: true })!
    assert.deepEqual(launch.command.slice(2), ['-path', join(dir, 'trial', 'root', 'katib', 'm.log')], 'the path is the trial\'s own copy')
    // Read from where the test put the file instead.
    const s = store()
    const collector = new TrialCollector(spec, s, 't', undefined, undefined, { custom: { ...launch, command: [process.execPath, collectorFixture, '-path', metrics] } })
    collector.onLine('[epoch 1] training loss: 0.5')
    collector.onLine('unrelated')
    collector.onLine('[epoch 2] training loss: 0.25')
    const diagnostics = await collector.finish()
    assert.deepEqual(s.appended.flatMap((a) => a.points.map((p) => `${p.name}@${p.step}=${p.value}`)), ['loss@0=0.5', 'loss@1=0.25', 'accuracy@0=0.75'])
    assert.equal(diagnostics.notes, undefined)
    assert.match(readFileSync(launch.logPath, 'utf8'), /^loss=0\.5\nloss=0\.25\naccuracy=0\.75\ncollector of undefined read .*m\.log\n$/, "stdout and stderr kept in collector.log")

    const failing = new TrialCollector(spec, store(), 't', undefined, undefined, {
      custom: { ...launch, command: [process.execPath, collectorFixture, '--fail'], env: { ...launch.env, DB_ADDRESS: 'katib-db-manager:6789' } },
    })
    const failed = await failing.finish()
    assert.match(failed.notes?.[0] ?? '', /the Custom collector \(.*custom-collector\.mjs --fail\) exited with code 3; its stderr ended with: cannot open the metrics database at katib-db-manager:6789 \(all its output: .*collector\.log\)/)
    const missing = await new TrialCollector(spec, store(), 't', undefined, undefined, { custom: { ...launch, command: ['tunewell-no-such-collector'] } }).finish()
    assert.match(missing.notes?.[0] ?? '', /\(tunewell-no-such-collector\) was not found \(exit code 127\)/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('Katib\'s TFJob example: its event folder /mnist-with-summaries-logs/test lies below the --log-path it names, so each trial writes and is read in its own copy', () => {
  const parsed = parseExperimentYaml(katib('kubeflow-training-operator/tfjob-mnist-with-summaries.yaml'))
  assert.ok(parsed.experiment, JSON.stringify(parsed.issues))
  const launch = buildLocalLaunch(parsed.experiment, { name: 'tf-a', params: { learning_rate: 0.02, batch_size: 40 } }, { baseDir: '/work', runDir: '/runs', env: {} })
  assert.deepEqual(launch.metricsFile, { path: '/runs/tf-a/root/mnist-with-summaries-logs/test', inTrialDir: true, directory: true })
  assert.ok(launch.command.includes('--log-path=/runs/tf-a/root/mnist-with-summaries-logs'), launch.command.join(' '))
})
