/**
 * What a trial prints, as `tunewell run` reads it: the `epoch=` key on a metric's line is the
 * step stored, and a trial that never printed its objective the way the collector reads it ends
 * MetricsUnavailable with a message naming what it did print, shown in the run's summary.
 */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-printed-metrics-'))
const name = `printed-metrics-${Date.now().toString(36)}`

// A PGlite database is the temporary folder's; a shared PostgreSQL keeps nothing of this test.
after(() => (process.env.DATABASE_URL ? deleteCliExperiments(home, [name]) : undefined))

// A training script's habits: the epoch beside the metrics, `acc` for accuracy, and the objective with a colon.
const trial = [
  "console.log('starting, lr=' + process.argv[1].split('=')[1])",
  "console.log('epoch=3 loss=0.5 acc=0.8')",
  "console.log('epoch=7 loss=0.4 acc=0.85')",
  "console.log('loss=0.35')",
  "console.log('accuracy: 0.91')",
].join(';')

test('run: epoch= keys are the stored steps; a missing objective\'s message names what the trial printed', async () => {
  const file = join(home, 'experiment.yaml')
  writeFileSync(file, `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective: {type: maximize, objectiveMetricName: accuracy, additionalMetricNames: [loss]}
  algorithm: {algorithmName: random}
  maxTrialCount: 1
  parallelTrialCount: 1
  parameters:
    - {name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.1"}}
  trialTemplate:
    trialParameters: [{name: lr, reference: lr}]
    command: ${JSON.stringify([process.execPath, '-e', trial, '--', '--lr=${trialParameters.lr}'])}
`)
  const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, 'run', file], { cwd: home, env: process.env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c))
    child.stderr.on('data', (c: Buffer) => (stderr += c))
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
  const expected = 'objective metric "accuracy" was never reported; the trial printed it as "accuracy: 0.91", but the StdOut collector reads "accuracy=0.42"; the trial printed: loss, lr, acc (did you mean "acc"?)'
  assert.ok(result.stdout.includes(`MetricsUnavailable: ${expected}`), `the summary shows the message\n${result.stdout}\n${result.stderr}`)
  assert.equal(result.status, 1, 'no trial succeeded')
  await withCliStore(home, async (store) => {
    const experiment = await store.experiments.getByName(name)
    const [only] = await store.trials.list(experiment!.id)
    assert.equal(only?.state, 'MetricsUnavailable')
    assert.equal(only?.message, expected)
    // epoch=3 and epoch=7 as printed; the line without a key goes on after them.
    assert.deepEqual((await store.observations.list(only!.id, ['loss'])).map((p) => [p.step, p.value]), [[3, 0.5], [7, 0.4], [8, 0.35]])
  })
})
