import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ExperimentRunner } from '../../controller/experiment-runner.ts'
import { LocalProcessExecutor } from '../../controller/local-process-executor.ts'
import { processStartTime } from '../../controller/process-identity.ts'
import { trialHandleFile } from '../../controller/trial-handle-file.ts'
import type { Experiment } from '../../core/spec/index.ts'
import type { Store } from '../../db/store.ts'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { isRunning, until } from '../helpers/processes.ts'
import { openTestStore } from '../helpers/test-store.ts'

const fileMetrics = fileURLToPath(new URL('../fixtures/trials/file-metrics.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-trial-processes-'))
const suffix = Date.now().toString(36)
let store: Store
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store.destroy()
})

function runner(name: string): ExperimentRunner {
  return new ExperimentRunner({
    store,
    suggestions: new SuggestionService(store),
    executor: new LocalProcessExecutor(),
    launch: { baseDir: home, runDir: join(home, 'runs', name), env: {} },
    pollMs: 50,
  })
}

/** A File-collector experiment whose trials append `loss=<x>` to `path`, optionally named in their args. */
function fileExperiment(name: string, path: string, parallel: number, nameThePath: boolean): Experiment {
  return quadraticExperiment({
    name, parallel, max: 4,
    parameters: '    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}',
    extraSpec: `  metricsCollectorSpec:\n    collector: {kind: File}\n    source:\n      fileSystemPath: {path: "${path}", kind: File}`,
    command: [process.execPath, fileMetrics, ...(nameThePath ? [`--log-path=${path}`] : []), '--x=${trialParameters.x}', '--steps=4', '--sleep-ms=100'],
  })
}

describe('local trial processes', () => {
  test('parallel trials that name one absolute metrics path in their args each get their own file', async () => {
    const shared = join(home, 'shared-named')
    mkdirSync(shared)
    const path = join(shared, 'metrics.log')
    writeFileSync(path, 'loss=-5\n')
    const name = `named-path-${suffix}`
    const record = await store.experiments.create({ name, spec: fileExperiment(name, path, 2, true), seed: 3 })
    const done = await runner(name).run(record.id)
    assert.equal(done.state, 'Succeeded')
    for (const trial of await store.trials.list(record.id)) {
      assert.equal(trial.state, 'Succeeded', trial.message ?? '')
      assert.ok(Math.abs(trial.objective! - Number(trial.params.x)) < 1e-9, `${trial.name}: objective ${trial.objective}, x ${trial.params.x}`)
      assert.equal((await store.observations.list(trial.id, ['loss'])).length, 4, `${trial.name} has its own 4 points`)
      assert.match(readFileSync(join(home, 'runs', name, trial.name, 'root', path), 'utf8'), /^(loss=[\d.e-]+\n){4}$/)
    }
    assert.equal(readFileSync(path, 'utf8'), 'loss=-5\n', 'the shared path is neither written nor deleted')
  })

  test('an absolute metrics path the command does not name: trials take turns, and the file is never deleted', async () => {
    const shared = join(home, 'shared-unnamed')
    mkdirSync(shared)
    const path = join(shared, 'metrics.log')
    writeFileSync(path, 'loss=-5\n')
    const name = `unnamed-path-${suffix}`
    const record = await store.experiments.create({ name, spec: fileExperiment(name, path, 2, false), seed: 3 })
    const done = await runner(name).run(record.id)
    assert.equal(done.state, 'Succeeded')
    const trials = await store.trials.list(record.id)
    for (const [i, trial] of trials.entries()) {
      assert.equal(trial.state, 'Succeeded', trial.message ?? '')
      assert.ok(Math.abs(trial.objective! - Number(trial.params.x)) < 1e-9, `${trial.name}: objective ${trial.objective}, x ${trial.params.x}`)
      if (i > 0) assert.ok(trial.startedAt! >= trials[i - 1]!.finishedAt!, 'one at a time')
    }
    assert.ok(readFileSync(path, 'utf8').startsWith('loss=-5\n'), 'what was there before stays')
  })

  test('recovery stops an orphan that only its trial folder knows (killed between spawn and the database write)', async () => {
    const experiment = quadraticExperiment({ name: `orphan-${suffix}`, max: 1, parallel: 1, flags: ['--steps=1'] })
    const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 3 })
    await new SuggestionService(store).ensureTrials(record.id, 1)
    const [trial] = await store.trials.list(record.id)
    await store.trials.transition(trial!.id, ['Pending'], 'Running', { startedAt: new Date(), execution: { kind: 'local', launching: true } })
    const orphan = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' })
    const pid = orphan.pid!
    const runDir = join(home, 'runs', record.name)
    mkdirSync(join(runDir, trial!.name), { recursive: true })
    writeFileSync(trialHandleFile(runDir, trial!.name), JSON.stringify({ kind: 'local', pid, startTime: processStartTime(pid), logPath: 'x' }))
    try {
      const done = await runner(record.name).run(record.id)
      assert.equal(done.state, 'Succeeded')
      await until(() => !isRunning(pid), `orphan ${pid} stopped`)
      const [after] = await store.trials.list(record.id)
      assert.equal(after!.restarts, 1)
    } finally {
      orphan.kill('SIGKILL')
    }
  })
})
