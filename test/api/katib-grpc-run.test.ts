import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'

/**
 * A trial written for Katib's Push collector, unchanged: it calls the SDK's report_metrics()
 * (test/fixtures/katib-grpc/katib_sdk.py builds the SDK's messages with the protobuf library and
 * dials katib-db-manager.kubeflow:6789 with grpcio) under a real `tunewell run`.
 *
 * Needs Debian's python3-grpcio and python3-protobuf, which apt installs for /usr/bin/python3
 * (a pyenv or venv python on PATH does not see them); PYTHON names another interpreter.
 */
const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const trialScript = fileURLToPath(new URL('../fixtures/katib-grpc/trial.py', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-katib-grpc-'))
const created: string[] = []

function findPython(): string | undefined {
  const candidates = [process.env.PYTHON?.trim(), '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c))
  return candidates.find((c) => spawnSync(c, ['-c', 'import grpc, google.protobuf'], { stdio: 'ignore' }).status === 0)
}
const python = findPython()

after(() => deleteCliExperiments(home, created))

// CI installs them (.ci/run) and sets TUNEWELL_GRPC_CLIENT=required: there a missing client fails instead of skipping.
const required = process.env.TUNEWELL_GRPC_CLIENT === 'required'
if (required && !python) throw new Error('TUNEWELL_GRPC_CLIENT=required, but no Python 3 with grpc and protobuf was found (apt-get install python3-grpcio python3-protobuf)')

describe("tunewell run: Katib's DBManager gRPC API", { skip: python ? false : 'no Python 3 with grpc and protobuf (apt-get install python3-grpcio python3-protobuf)' }, () => {
  test('report_metrics() with its default address stores the points of the trial that sent them, and only its own', { timeout: 120_000 }, async () => {
    const name = `katib-grpc-${Date.now().toString(36)}`
    created.push(name)
    const file = join(home, `${name}.yaml`)
    writeFileSync(file, `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective: {type: minimize, objectiveMetricName: loss, additionalMetricNames: [accuracy]}
  algorithm: {algorithmName: random}
  parallelTrialCount: 2
  maxTrialCount: 2
  metricsCollectorSpec:
    collector: {kind: Push}
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
  trialTemplate:
    command: ["${python}", "${trialScript}", "--x=\${trialParameters.x}"]
`)
    // An address in no_proxy (often 127.0.0.1) is dialled directly, without the trial's proxy
    // credentials: the trial's explicit-address report would then be refused, whatever the code does.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^no_(grpc_)?proxy$/i.test(k)))
    const run = spawn(process.execPath, [bin, 'run', file], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    run.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    run.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => run.once('exit', resolve))
    assert.equal(code, 0, output)

    const runs = join(home, '.tunewell', 'runs', name)
    const trials = readdirSync(runs)
    assert.equal(trials.length, 2)
    await withCliStore(home, async (store) => {
      for (const trialName of trials) {
        const log = readFileSync(join(runs, trialName, 'output.log'), 'utf8')
        const result = JSON.parse(readFileSync(join(runs, trialName, 'result.json'), 'utf8')) as Record<string, unknown>
        assert.deepEqual((result.other as string[])[0], 'PERMISSION_DENIED', log)
        assert.match((result.other as string[])[1]!, new RegExp(`${trialName} may report and read only its own metrics`))
        assert.deepEqual((result.invalid as string[])[0], 'INVALID_ARGUMENT')
        assert.match((result.invalid as string[])[1]!, /metric_logs\[0\]\.metric\.value "fast" of metric loss is not a number/)

        const trial = (await store.trials.getByName(trialName))!
        assert.equal(trial.state, 'Succeeded', log)
        const x = Number(trial.params.x)
        const points = await store.observations.list(trial.id)
        // Two reports of loss, one of accuracy; nothing from the refused reports (-1000, "fast").
        assert.deepEqual(
          points.map((p) => [p.name, p.step]),
          [['accuracy', 0], ['loss', 0], ['loss', 1]],
        )
        const loss = points.filter((p) => p.name === 'loss')
        assert.ok(Math.abs(loss[0]!.value - ((x - 0.3) ** 2 + 1)) < 1e-9)
        assert.ok(Math.abs(loss[1]!.value - (x - 0.3) ** 2) < 1e-9)
        // GetObservationLog, read by the trial after its reports: its loss values as stored, at RFC 3339 times.
        const read = result.log as [string, string, string][]
        assert.deepEqual(read.map(([, metric, value]) => [metric, Number(value)]), loss.map((p) => ['loss', p.value]))
        for (const [at] of read) assert.match(at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
      }
    })
  })
})
