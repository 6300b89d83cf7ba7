import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { killTrial } from '../../api/operations/kill-trial.ts'
import { stopExperiment } from '../../api/operations/stop-experiment.ts'
import { ExperimentSupervisor } from '../../controller/experiment-supervisor.ts'
import type { LocalHandle } from '../../controller/local-process-executor.ts'
import type { Experiment } from '../../core/spec/index.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../../db/store.ts'
import { quadraticExperiment, type QuadraticOptions } from '../helpers/experiment-yaml.ts'
import { openTestStore } from '../helpers/test-store.ts'

let store: Store
const home = mkdtempSync(join(tmpdir(), 'tunewell-supervisor-'))
// One supervisor per database at a time (as with one server): each test stops its own.
const supervisors: ExperimentSupervisor[] = []
before(async () => {
  store = await openTestStore()
})
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop()))
})
after(async () => {
  await store?.destroy()
})

function startSupervisor(localExecution = true): ExperimentSupervisor {
  const supervisor = new ExperimentSupervisor({ store, home, baseDir: home, localExecution, pollMs: 50, runnerPollMs: 50, retryMs: 200 })
  supervisors.push(supervisor)
  supervisor.start()
  return supervisor
}

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`

async function submit(o: QuadraticOptions, edit?: (e: Experiment) => void): Promise<ExperimentRecord> {
  const experiment = quadraticExperiment(o)
  edit?.(experiment)
  return store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 5 })
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

const completed = (id: string) => until('completion', async () => {
  const e = await store.experiments.get(id)
  return e && (e.state === 'Succeeded' || e.state === 'Failed') ? e : undefined
})

function alive(trial: TrialRecord): boolean {
  const pid = (trial.execution as Partial<LocalHandle> | null)?.pid
  if (!pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('experiment supervisor', () => {
  test('runs submitted experiments concurrently to completion', async () => {
    const supervisor = startSupervisor()
    const a = await submit({ name: unique('sup-a'), max: 3 })
    const b = await submit({ name: unique('sup-b'), max: 2, parallel: 1 })
    supervisor.wake()
    const [doneA, doneB] = await Promise.all([completed(a.id), completed(b.id)])
    assert.deepEqual([doneA.state, doneA.reason], ['Succeeded', 'ExperimentMaxTrialsReached'])
    assert.deepEqual([doneB.state, doneB.reason], ['Succeeded', 'ExperimentMaxTrialsReached'])
    assert.equal((await store.trials.list(a.id, { states: ['Succeeded'] })).length, 3)
    await until('runners to finish', async () => !supervisor.running.includes(a.id) && !supervisor.running.includes(b.id))
  })

  test('a stop through the API ends the experiment and its trial processes', async () => {
    const supervisor = startSupervisor()
    const e = await submit({ name: unique('sup-stop'), max: 6, parallel: 2, flags: ['--mode=hang'] })
    supervisor.wake()
    const running = await until('two running trials', async () => {
      const trials = await store.trials.list(e.id, { states: ['Running'] })
      return trials.length === 2 && trials.every(alive) ? trials : undefined
    })
    await stopExperiment(store, e.name)
    supervisor.wake(e.id)
    await until('the runner to end', async () => !supervisor.running.includes(e.id))
    const after = await store.trials.list(e.id)
    assert.ok(after.every((t) => t.state === 'Killed'), JSON.stringify(after.map((t) => t.state)))
    const stopped = await store.experiments.get(e.id)
    assert.deepEqual([stopped?.state, stopped?.reason], ['Succeeded', 'ExperimentStopped'])
    for (const trial of running) assert.equal(alive(trial), false, `${trial.name} still runs`)
    await sleep(300)
    assert.equal(supervisor.running.includes(e.id), false, 'a stopped experiment is not restarted')
  })

  test('a killed trial\'s process stops and the experiment carries on with a new trial', async () => {
    const supervisor = startSupervisor()
    const e = await submit({ name: unique('sup-kill'), max: 3, parallel: 1, flags: ['--mode=hang'] })
    supervisor.wake()
    const [first] = await until('a running trial', async () => {
      const trials = await store.trials.list(e.id, { states: ['Running'] })
      return trials.length === 1 && alive(trials[0]!) ? trials : undefined
    })
    await killTrial(store, e.name, first!.name)
    supervisor.wake(e.id)
    await until('its process to end', async () => !alive(first!))
    const next = await until('a replacement trial', async () => {
      const trials = await store.trials.list(e.id, { states: ['Running'] })
      return trials.length === 1 && trials[0]!.number === 1 ? trials[0] : undefined
    })
    assert.equal((await store.trials.get(first!.id))?.state, 'Killed')
    await stopExperiment(store, e.name)
    supervisor.wake(e.id)
    await until('the runner to end', async () => !supervisor.running.includes(e.id))
    assert.equal(alive(next), false)
  })

  test('detach stops the runner and its processes, so the experiment can be deleted', async () => {
    const supervisor = startSupervisor()
    const e = await submit({ name: unique('sup-detach'), max: 4, parallel: 2, flags: ['--mode=hang'] })
    supervisor.wake()
    const running = await until('running trials', async () => {
      const trials = await store.trials.list(e.id, { states: ['Running'] })
      return trials.length === 2 && trials.every(alive) ? trials : undefined
    })
    await stopExperiment(store, e.name)
    await supervisor.detach(e.id)
    assert.equal(supervisor.running.includes(e.id), false)
    for (const trial of running) assert.equal(alive(trial), false)
    await store.experiments.delete(e.id)
    await sleep(200)
    assert.equal(supervisor.running.includes(e.id), false)
  })

  test('without local execution, or without a trialTemplate, the experiment waits in Created and says why', async () => {
    const off = startSupervisor(false)
    const waiting = await submit({ name: unique('sup-off'), max: 2 })
    off.wake()
    const held = await until('a message', async () => {
      const r = await store.experiments.get(waiting.id)
      return r?.message?.includes('local execution is disabled') ? r : undefined
    })
    assert.equal(held.state, 'Created')
    await off.stop()
    const on = startSupervisor()
    const outside = await submit({ name: unique('sup-none'), max: 2 }, (x) => delete x.spec.trialTemplate)
    on.wake()
    const noTemplate = await until('a message', async () => {
      const r = await store.experiments.get(outside.id)
      return r?.message?.includes('no trialTemplate') ? r : undefined
    })
    assert.equal(noTemplate.state, 'Created')
    // Once a server may run it, the waiting experiment runs.
    assert.equal((await completed(waiting.id)).reason, 'ExperimentMaxTrialsReached')
    assert.deepEqual(await store.trials.list(outside.id), [])
  })

  test('stop() ends every runner and leaves their trials for the next start to relaunch', async () => {
    const supervisor = startSupervisor()
    const e = await submit({ name: unique('sup-shutdown'), max: 4, parallel: 2, flags: ['--mode=hang'] })
    supervisor.wake()
    const running = await until('running trials', async () => {
      const trials = await store.trials.list(e.id, { states: ['Running'] })
      return trials.length === 2 && trials.every(alive) ? trials : undefined
    })
    await supervisor.stop()
    assert.deepEqual(supervisor.running, [])
    for (const trial of running) assert.equal(alive(trial), false)
    assert.equal((await store.experiments.get(e.id))?.state, 'Running')
    const again = startSupervisor()
    const relaunched = await until('relaunched trials', async () => {
      const trials = await store.trials.list(e.id, { states: ['Running'] })
      return trials.length === 2 && trials.every((t) => t.restarts === 1 && alive(t)) ? trials : undefined
    })
    assert.deepEqual(relaunched.map((t) => t.number).sort(), running.map((t) => t.number).sort())
    await stopExperiment(store, e.name)
    again.wake(e.id)
    await until('the runner to end', async () => !again.running.includes(e.id))
  })
})
