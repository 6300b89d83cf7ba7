import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ExperimentRunner, InterruptedError } from '../../controller/experiment-runner.ts'
import type { Experiment } from '../../core/spec/index.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../../db/store.ts'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { reconcileSpecChange } from '../../cli/reconcile-spec-change.ts'
import { startExperiment } from '../../lifecycle/start-experiment.ts'
import { startTrial } from '../../lifecycle/start-trial.ts'
import { PARALLELISM_LOWERED } from '../../lifecycle/stop-excess-trials.ts'
import { openTestStore } from '../helpers/test-store.ts'
import { quadraticExperiment, type QuadraticOptions } from '../helpers/experiment-yaml.ts'
import { FakeExecutor } from '../helpers/fake-executor.ts'
import { quadraticScript } from '../helpers/fake-trials.ts'

let store: Store
const home = mkdtempSync(join(tmpdir(), 'tunewell-runner-'))
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store.destroy()
})

/**
 * Runs the experiment through the runner on the fake executor (its trials scripted after the
 * quadratic fixture program, on virtual time), through `through` when a test stages the store.
 */
async function runExperiment(
  experiment: Experiment,
  { through = store, executor = new FakeExecutor(quadraticScript) }: { through?: Store; executor?: FakeExecutor } = {},
): Promise<ExperimentRecord> {
  const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 11 })
  const runner = new ExperimentRunner({
    store: through,
    suggestions: new SuggestionService(store),
    executor,
    clock: executor.clock,
    launch: { baseDir: home, runDir: join(home, 'runs', record.name), env: {} },
    pollMs: 50,
  })
  return runner.run(record.id)
}

const run = (o: QuadraticOptions) => runExperiment(quadraticExperiment(o))

/**
 * The trial store with the list a reconcile pass reads (all states, no options) answered through
 * `answer`, to stage what a pass may see; every other call goes to the store as is.
 */
function withPassList(
  trials: Store['trials'],
  answer: (experimentId: string, rows: TrialRecord[]) => Promise<TrialRecord[]>,
): Store['trials'] {
  return new Proxy(trials, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name)
      if (name !== 'list') return typeof value === 'function' ? value.bind(target) : value
      return async (experimentId: string, options?: Parameters<Store['trials']['list']>[1]) => {
        const rows = await target.list(experimentId, options)
        return options === undefined ? answer(experimentId, rows) : rows
      }
    },
  })
}
const expectedLoss = (p: Record<string, unknown>) => (Number(p.x) - 0.3) ** 2 + (Number(p.y) - 0.7) ** 2

describe('experiment runner (trials on the fake executor)', () => {
  test('random search runs maxTrialCount trials and keeps the optimum', async () => {
    const done = await run({ name: 'rand-ok', max: 5, parallel: 3 })
    assert.equal(done.state, 'Succeeded')
    assert.equal(done.reason, 'ExperimentMaxTrialsReached')
    const trials = await store.trials.list(done.id)
    assert.deepEqual(trials.map((t) => t.number), [0, 1, 2, 3, 4])
    assert.ok(trials.every((t) => t.state === 'Succeeded'))
    for (const t of trials) {
      // strategy min over the printed steps = the last, lowest value
      assert.ok(Math.abs(t.objective! - expectedLoss(t.params)) < 1e-5, `${t.name}: ${t.objective} vs ${expectedLoss(t.params)}`)
      assert.ok(t.metrics?.accuracy, 'additional metric summarised')
      const points = await store.observations.list(t.id, ['loss'])
      assert.deepEqual(points.map((p) => p.step), [0, 1, 2])
    }
    const best = trials.reduce((a, b) => (a.objective! <= b.objective! ? a : b))
    assert.equal(done.bestTrialId, best.id)
    assert.equal(new Set(trials.map((t) => JSON.stringify(t.params))).size, 5, 'no duplicate parameter sets')
  })

  test('the same seed gives the same parameter sets', async () => {
    const a = await store.trials.list((await run({ name: 'seed-a', max: 3 })).id)
    const b = await store.trials.list((await run({ name: 'seed-b', max: 3 })).id)
    assert.deepEqual(a.map((t) => t.params), b.map((t) => t.params))
  })

  test('failing trials fail the experiment once they exceed maxFailedTrialCount (Katib), with the exit code in the message', async () => {
    const done = await run({ name: 'fails', max: 6, parallel: 1, maxFailed: 2, flags: ['--mode=fail', '--steps=1'] })
    assert.equal(done.state, 'Failed')
    assert.equal(done.reason, 'ExperimentFailed')
    assert.equal(done.message, '3 trials failed, more than maxFailedTrialCount 2')
    const trials = await store.trials.list(done.id)
    // Two failures are within the limit; the third exceeds it.
    assert.equal(trials.length, 3)
    for (const t of trials) {
      assert.equal(t.state, 'Failed')
      assert.match(t.message ?? '', /exited with code 3/)
    }
  })

  test('a trial that prints garbage ends MetricsUnavailable and says why', async () => {
    const done = await run({ name: 'garbage', max: 1, parallel: 1, maxFailed: 0, flags: ['--mode=garbage', '--steps=2'] })
    const [trial] = await store.trials.list(done.id)
    assert.equal(trial!.state, 'MetricsUnavailable')
    assert.match(trial!.message ?? '', /never reported/)
    assert.match(trial!.message ?? '', /without a number/)
    assert.equal(done.state, 'Failed')
  })

  test('a trial that reports only NaN is explained as diverged', async () => {
    const done = await run({ name: 'nan', max: 1, parallel: 1, flags: ['--mode=nan'] })
    const [trial] = await store.trials.list(done.id)
    assert.equal(trial!.state, 'MetricsUnavailable')
    assert.match(trial!.message ?? '', /NaN/)
  })

  test('a command that does not exist fails each trial clearly', async () => {
    // What the local executor reports for it (test/controller/local-process-executor.test.ts).
    const executor = new FakeExecutor((trial) => ({
      phase: 'failed', reason: 'CommandNotFound', message: `command "${trial.launch.command[0]}" was not found (working directory ${trial.launch.cwd})`,
    }))
    const experiment = quadraticExperiment({ name: 'nocmd', max: 3, parallel: 1, maxFailed: 0, command: ['no-such-trainer-xyz', '--x=${trialParameters.x}', '--y=${trialParameters.y}'] })
    const done = await runExperiment(experiment, { executor })
    assert.equal(done.state, 'Failed')
    const [trial] = await store.trials.list(done.id)
    assert.match(trial!.message ?? '', /CommandNotFound.*"no-such-trainer-xyz" was not found/)
  })

  test('a trial past activeDeadlineSeconds is stopped and fails', async () => {
    const done = await run({ name: 'deadline', max: 1, parallel: 1, flags: ['--mode=hang'], deadlineSeconds: 1 })
    const [trial] = await store.trials.list(done.id)
    assert.equal(trial!.state, 'Failed')
    assert.match(trial!.message ?? '', /DeadlineExceeded/)
  })

  test('a trial that ends while a pass reads the trial list keeps its points (it is not taken for a stranded launch)', async () => {
    // The list of a pass is read before a trial's outcome commits and answered after the runner
    // is done with that trial, as on PostgreSQL when the list query is the slower of the two.
    let staleAnswers = 0
    const trials = withPassList(store.trials, async (experimentId, rows) => {
      const running = rows.filter((t) => t.state === 'Running')
      if (running.length === 0 || staleAnswers > 0) return rows
      staleAnswers++
      for (let i = 0; i < 200; i++) {
        const events = await store.events.list(experimentId)
        if (running.every((t) => events.some((e) => e.trialId === t.id && (e.payload as { state?: string }).state === 'Succeeded'))) break
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
      return rows
    })
    const done = await runExperiment(quadraticExperiment({ name: 'stale-list', max: 2, parallel: 1, flags: ['--sleep-ms=100'] }), { through: { ...store, trials, transaction: (work) => store.transaction(work) } })
    assert.equal(staleAnswers, 1, 'a stale list was answered while a trial ran')
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
    for (const trial of await store.trials.list(done.id)) {
      assert.equal(trial.state, 'Succeeded')
      assert.equal(trial.restarts, 0, `${trial.name} was relaunched`)
      assert.deepEqual((await store.observations.list(trial.id, ['loss'])).map((p) => p.step), [0, 1, 2], `${trial.name} kept its points`)
    }
  })

  test('a Running trial another controller launched mid-run is never signalled: only its row is reset, and that write is fenced', async () => {
    // What a controller that was paused past its lease reads on resuming: a trial its successor
    // launched, still running there (the executor knows it as an orphan it could stop).
    const executor = new FakeExecutor(quadraticScript)
    let theirs: TrialRecord | undefined
    const trials = withPassList(store.trials, async (_experimentId, rows) => {
      if (theirs || rows.length === 0) return rows
      theirs = { ...rows[0]!, id: randomUUID(), name: `${rows[0]!.name}-theirs`, state: 'Running', execution: { kind: 'fake', trial: `${rows[0]!.name}-theirs`, attempt: 99 } }
      executor.orphans.add(theirs.name)
      return [...rows, theirs]
    })
    const done = await runExperiment(quadraticExperiment({ name: 'not-ours', max: 2, parallel: 1 }), { through: { ...store, trials, transaction: (work) => store.transaction(work) }, executor })
    assert.ok(theirs)
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
    assert.deepEqual(executor.events.filter((e) => e.trial === theirs!.name), [], 'the executor was asked to stop the other controller\'s trial')
    assert.ok(executor.orphans.has(theirs.name))
  })

  test('run on a file with a lower parallelTrialCount: the newest trials a previous run left Running are Killed, their processes stopped, and they use up no budget', async () => {
    const executor = new FakeExecutor(quadraticScript)
    const name = 'lowered-run'
    const record = await store.experiments.create({ name, spec: quadraticExperiment({ name, max: 4, parallel: 3 }), seed: 11 })
    assert.ok(await startExperiment(store, record, 'running'))
    // What a run killed with -9 leaves: three Running trials whose processes still run.
    const left = await store.trials.createMany(record.id, [0, 1, 2].map((i) => ({ name: `${name}-${i}`, params: { x: i / 10, y: 0.5 } })))
    for (const trial of left) {
      assert.ok(await startTrial(store, trial, { kind: 'other' }))
      executor.orphans.add(trial.name)
    }
    // `run` on the changed file (cli/run-command.ts), then the runner.
    await reconcileSpecChange(store, (await store.experiments.get(record.id))!, quadraticExperiment({ name, max: 4, parallel: 1 }))
    const runner = new ExperimentRunner({
      store, suggestions: new SuggestionService(store), executor, clock: executor.clock, launch: { baseDir: home, runDir: join(home, 'runs', name), env: {} }, pollMs: 50,
    })
    const done = await runner.run(record.id)
    assert.equal(done.reason, 'ExperimentMaxTrialsReached', done.message ?? '')
    const trials = await store.trials.list(record.id)
    const withdrawn = trials.filter((t) => t.reason === PARALLELISM_LOWERED).map((t) => t.name)
    assert.deepEqual(withdrawn, [`${name}-1`, `${name}-2`])
    assert.ok(trials.filter((t) => withdrawn.includes(t.name)).every((t) => t.state === 'Killed'))
    // Their leftover processes were stopped, not relaunched; the budget of 4 went to trials that ran to their end.
    for (const trial of withdrawn) {
      assert.deepEqual(executor.events.filter((e) => e.trial === trial), [{ type: 'stopOrphan', trial, found: true }])
    }
    assert.equal(trials.filter((t) => t.state === 'Succeeded').length, 4)
    assert.equal(trials.length, 6)
    // One at a time from then on: every start came after the previous trial's exit.
    const order = executor.events.filter((e) => e.type === 'start' || e.type === 'exit').map((e) => e.type)
    assert.deepEqual(order, ['start', 'exit', 'start', 'exit', 'start', 'exit', 'start', 'exit'])
  })

  test('more trials active than parallelTrialCount at a pass (one that read the spec before a lower one committed created them): the newest are stopped, as Katib\'s level-triggered reconcile does', async () => {
    const executor = new FakeExecutor(quadraticScript)
    const name = 'over-parallel'
    const record = await store.experiments.create({ name, spec: quadraticExperiment({ name, max: 3, parallel: 1 }), seed: 11 })
    await store.trials.createMany(record.id, [0, 1, 2].map((i) => ({ name: `${name}-${i}`, params: { x: i / 10, y: 0.5 } })))
    const runner = new ExperimentRunner({
      store, suggestions: new SuggestionService(store), executor, clock: executor.clock, launch: { baseDir: home, runDir: join(home, 'runs', name), env: {} }, pollMs: 50,
    })
    const done = await runner.run(record.id)
    assert.equal(done.reason, 'ExperimentMaxTrialsReached', done.message ?? '')
    const trials = await store.trials.list(record.id)
    assert.deepEqual(trials.filter((t) => t.reason === PARALLELISM_LOWERED).map((t) => [t.name, t.state]), [[`${name}-1`, 'Killed'], [`${name}-2`, 'Killed']])
    assert.match(trials[2]!.message ?? '', /more than parallelTrialCount 1 trials were active/)
    assert.equal(trials.filter((t) => t.state === 'Succeeded').length, 3)
    const order = executor.events.filter((e) => e.type === 'start' || e.type === 'exit').map((e) => e.type)
    assert.deepEqual(order, ['start', 'exit', 'start', 'exit', 'start', 'exit'])
  })

  test('reaching the goal succeeds early and stops running trials', async () => {
    const done = await run({
      name: 'goal', max: 20, parallel: 2, goal: 10,
      parameters: `    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: y, parameterType: categorical, feasibleSpace: {list: ["0.7", "9"]}}`,
      // a y of 9 makes the trial slow, so the fast one reaches the goal while it runs
      flags: ['--sleep-ms=50'],
    })
    assert.equal(done.state, 'Succeeded')
    assert.equal(done.reason, 'ExperimentGoalReached')
    const trials = await store.trials.list(done.id)
    assert.ok(trials.length < 20)
    assert.ok(trials.every((t) => t.state !== 'Running' && t.state !== 'Pending'))
  })

  test('grid ends the experiment when the grid is exhausted', async () => {
    const done = await run({
      name: 'grid-end', algorithm: 'grid', settings: {}, max: 10, parallel: 3,
      parameters: `    - {name: x, parameterType: double, feasibleSpace: {min: "0.2", max: "0.4", step: "0.1"}}
    - {name: y, parameterType: discrete, feasibleSpace: {list: ["0.7", "0.8"]}}`,
    })
    assert.equal(done.state, 'Succeeded')
    assert.equal(done.reason, 'ExperimentSuggestionEndReached')
    const trials = await store.trials.list(done.id)
    assert.equal(trials.length, 6)
    const best = trials.find((t) => t.id === done.bestTrialId)!
    assert.deepEqual(best.params, { x: 0.3, y: 0.7 })
  })

  test('after a restart the executor stops what a previous controller left running; Running trials start over, EarlyStopped ones stay', async () => {
    const experiment = quadraticExperiment({ name: 'restart', max: 3, parallel: 1 })
    const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 11 })
    await new SuggestionService(store).ensureTrials(record.id, 2)
    const [running, stopped] = await store.trials.list(record.id)
    for (const t of [running!, stopped!]) {
      await store.trials.transition(t.id, ['Pending'], 'Running', { startedAt: new Date(), execution: { kind: 'fake', trial: t.name, attempt: 0 } })
    }
    await store.trials.transition(stopped!.id, ['Running'], 'EarlyStopped', { reason: 'TrialEarlyStopped', message: 'stopped before the crash', finishedAt: new Date() })
    const executor = new FakeExecutor(quadraticScript)
    executor.orphans.add(running!.name).add(stopped!.name)
    const runner = new ExperimentRunner({
      store, suggestions: new SuggestionService(store), executor, clock: executor.clock,
      launch: { baseDir: home, runDir: join(home, 'runs', record.name), env: {} }, pollMs: 50,
    })
    const done = await runner.run(record.id)
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
    assert.deepEqual(executor.events.filter((e) => e.type === 'stopOrphan').map((e) => e.trial).sort(), [running!.name, stopped!.name].sort())
    assert.equal(executor.orphans.size, 0)
    const after = new Map((await store.trials.list(record.id)).map((t) => [t.name, t]))
    assert.equal(after.get(running!.name)!.state, 'Succeeded')
    assert.equal(after.get(running!.name)!.restarts, 1)
    assert.equal(after.get(stopped!.name)!.state, 'EarlyStopped')
    assert.ok(!executor.started.includes(stopped!.name), 'an EarlyStopped trial is not relaunched')
    assert.equal(after.size, 3)
  })

  test('after a restart the executor stops what trials killed meanwhile left running; finished trials keep their workloads (retain)', async () => {
    const experiment = quadraticExperiment({ name: 'restart-killed', max: 3, parallel: 1 })
    const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 11 })
    await new SuggestionService(store).ensureTrials(record.id, 2)
    const [killed, finished] = await store.trials.list(record.id)
    for (const t of [killed!, finished!]) {
      await store.trials.transition(t.id, ['Pending'], 'Running', { startedAt: new Date(), execution: { kind: 'fake', trial: t.name, attempt: 0 } })
    }
    // Killed through the API while no controller ran: its workload still runs.
    await store.trials.transition(killed!.id, ['Running'], 'Killed', { reason: 'TrialKilled', message: 'killed by the user', finishedAt: new Date() })
    // Succeeded before the crash, its workload kept on purpose (trialTemplate.retain).
    await store.trials.transition(finished!.id, ['Running'], 'Succeeded', { reason: 'TrialSucceeded', message: 'done', finishedAt: new Date(), objective: 1 })
    const executor = new FakeExecutor(quadraticScript)
    executor.orphans.add(killed!.name).add(finished!.name)
    const runner = new ExperimentRunner({
      store, suggestions: new SuggestionService(store), executor, clock: executor.clock,
      launch: { baseDir: home, runDir: join(home, 'runs', record.name), env: {} }, pollMs: 50,
    })
    const done = await runner.run(record.id)
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
    assert.deepEqual(executor.events.filter((e) => e.type === 'stopOrphan').map((e) => e.trial), [killed!.name])
    assert.ok(executor.orphans.has(finished!.name), 'a finished trial\'s workload is not deleted')
    const after = new Map((await store.trials.list(record.id)).map((t) => [t.name, t]))
    assert.equal(after.get(killed!.name)!.state, 'Killed')
    assert.ok(!executor.started.includes(killed!.name), 'a Killed trial is not relaunched')
    assert.equal(after.size, 3)
  })

  test('after a restart the runner re-attaches to a workload the executor still finds: nothing launched twice, no restart, its points once', async () => {
    const experiment = quadraticExperiment({ name: 'reattach', max: 3, parallel: 2 })
    const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 11 })
    await new SuggestionService(store).ensureTrials(record.id, 2)
    const [kept, lost] = await store.trials.list(record.id)
    for (const t of [kept!, lost!]) {
      await store.trials.transition(t.id, ['Pending'], 'Running', { startedAt: new Date(), execution: { kind: 'fake', trial: t.name, attempt: 0 } })
    }
    // What the previous controller stored from the first two lines of its output.
    await store.observations.append(kept!.id, [{ name: 'loss', value: 0.5, step: 0, at: new Date() }, { name: 'loss', value: 0.4, step: 1, at: new Date() }])
    const executor = new FakeExecutor(quadraticScript)
    // `kept`'s workload runs on (its output read again from the start); `lost`'s is gone.
    executor.workloads.set(kept!.name, quadraticScript)
    executor.orphans.add(lost!.name)
    const runner = new ExperimentRunner({
      store, suggestions: new SuggestionService(store), executor, clock: executor.clock,
      launch: { baseDir: home, runDir: join(home, 'runs', record.name), env: {} }, pollMs: 50,
    })
    const done = await runner.run(record.id)
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
    assert.deepEqual(executor.events.filter((e) => e.type === 'attach').map((e) => e.trial), [kept!.name])
    assert.deepEqual(executor.events.filter((e) => e.type === 'stopOrphan').map((e) => e.trial), [lost!.name], 'an attached trial is no orphan')
    assert.ok(!executor.started.includes(kept!.name), 'the attached trial is not launched again')
    assert.equal(executor.started.filter((n) => n === lost!.name).length, 1)
    const after = new Map((await store.trials.list(record.id)).map((t) => [t.name, t]))
    assert.equal(after.size, 3)
    const trial = after.get(kept!.name)!
    assert.equal(trial.state, 'Succeeded')
    assert.equal(trial.restarts, 0)
    assert.equal(after.get(lost!.name)!.restarts, 1)
    const loss = await store.observations.list(trial.id, ['loss'])
    assert.deepEqual(loss.map((p) => p.step), [0, 1, 2], 'every point of the output once')
    const expected = (Number(trial.params.x) - 0.3) ** 2 + (Number(trial.params.y) - 0.7) ** 2
    assert.ok(Math.abs(trial.objective! - expected) < 1e-5, `${trial.objective} vs ${expected}`)
  })

  test('a database outage in the middle of re-attaching: the recovery is tried again, attaching each trial once and resetting none', async () => {
    const experiment = quadraticExperiment({ name: 'reattach-outage', max: 2, parallel: 2 })
    const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 11 })
    await new SuggestionService(store).ensureTrials(record.id, 2)
    const trials = await store.trials.list(record.id)
    const executor = new FakeExecutor(quadraticScript)
    for (const t of trials) {
      await store.trials.transition(t.id, ['Pending'], 'Running', { startedAt: new Date(), execution: { kind: 'fake', trial: t.name, attempt: 0 } })
      executor.workloads.set(t.name, async (trial) => {
        // Still running when the recovery is tried again (the outage's backoff is shorter).
        await trial.sleep(600_000)
        return quadraticScript(trial)
      })
    }
    // The second trial's points cannot be dropped: the database went away after the first was re-attached.
    let deletes = 0
    const observations = new Proxy(store.observations, {
      get(target, name) {
        const value: unknown = Reflect.get(target, name)
        if (name !== 'deleteForTrial') return typeof value === 'function' ? value.bind(target) : value
        return async (trialId: string) => {
          if (++deletes === 2) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
          return target.deleteForTrial(trialId)
        }
      },
    })
    const through = new Proxy(store, {
      get(target, name) {
        if (name === 'observations') return observations
        const value: unknown = Reflect.get(target, name)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const runner = new ExperimentRunner({
      store: through, suggestions: new SuggestionService(store), executor, clock: executor.clock,
      launch: { baseDir: home, runDir: join(home, 'runs', record.name), env: {} }, pollMs: 50,
    })
    const done = await runner.run(record.id)
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
    assert.ok(deletes >= 3)
    assert.deepEqual(executor.events.filter((e) => e.type === 'attach').map((e) => e.trial).sort(), trials.map((t) => t.name).sort())
    assert.deepEqual(executor.events.filter((e) => e.type === 'stopOrphan' || e.type === 'start'), [])
    for (const trial of await store.trials.list(record.id)) {
      assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message}`)
      assert.equal(trial.restarts, 0)
      assert.deepEqual((await store.observations.list(trial.id, ['loss'])).map((p) => p.step), [0, 1, 2])
    }
  })

  // Push, and a collector sidecar on a cluster (File, TensorFlowEvent, PrometheusMetric), which does not send again what was accepted.
  for (const [kind, collector] of [['Push', '{ collector: { kind: Push } }'], ['PrometheusMetric', '{ collector: { kind: PrometheusMetric }, source: { httpGet: { port: 8080, path: /metrics } } }']] as const) {
    test(`a re-attached trial of a ${kind} experiment keeps the points pushed before the restart`, async () => {
      const experiment = quadraticExperiment({ name: `reattach-${kind.toLowerCase()}`, max: 1, parallel: 1, extraSpec: `  metricsCollectorSpec: ${collector}\n` })
      const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 11 })
      await new SuggestionService(store).ensureTrials(record.id, 1)
      const [pushed] = await store.trials.list(record.id)
      await store.trials.transition(pushed!.id, ['Pending'], 'Running', { startedAt: new Date(), execution: { kind: 'fake', trial: pushed!.name, attempt: 0 } })
      await store.observations.append(pushed!.id, [{ name: 'loss', value: 0.25, step: 0, at: new Date() }])
      const executor = new FakeExecutor(quadraticScript)
      let runner: ExperimentRunner | undefined
      executor.workloads.set(pushed!.name, async (trial) => {
        await trial.sleep(10)
        runner!.acceptPush(trial.name, [{ name: 'loss', value: 0.125, step: 1, at: new Date() }])
        return 0
      })
      runner = new ExperimentRunner({
        store, suggestions: new SuggestionService(store), executor, clock: executor.clock,
        launch: { baseDir: home, runDir: join(home, 'runs', record.name), env: {} }, pollMs: 50,
      })
      const done = await runner.run(record.id)
      assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
      assert.deepEqual(executor.started, [])
      const [trial] = await store.trials.list(record.id)
      assert.equal(trial!.state, 'Succeeded', trial!.message ?? '')
      assert.equal(trial!.restarts, 0)
      assert.deepEqual((await store.observations.list(trial!.id, ['loss'])).map((p) => [p.step, p.value]), [[0, 0.25], [1, 0.125]])
    })
  }

  test('an interrupt stops the running trials and leaves them Running in the database, for the next run to relaunch', async () => {
    const experiment = quadraticExperiment({ name: 'interrupt', max: 4, parallel: 2, flags: ['--mode=hang'] })
    const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 11 })
    const abort = new AbortController()
    const executor = new FakeExecutor(async (trial) => {
      if (executor.running.length === 2) abort.abort()
      return quadraticScript(trial)
    })
    const runner = new ExperimentRunner({
      store, suggestions: new SuggestionService(store), executor, clock: executor.clock,
      launch: { baseDir: home, runDir: join(home, 'runs', record.name), env: {} }, pollMs: 50,
    })
    await assert.rejects(runner.run(record.id, abort.signal), InterruptedError)
    assert.deepEqual(executor.running, [])
    assert.deepEqual(executor.events.filter((e) => e.type === 'stop').map((e) => e.type === 'stop' && e.reason), ['Interrupted', 'Interrupted'])
    const trials = await store.trials.list(record.id)
    assert.deepEqual(trials.map((t) => t.state), ['Running', 'Running'])
  })
})
