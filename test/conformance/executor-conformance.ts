import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import type { Experiment } from '../../core/spec/index.ts'
import { LaunchError, type ExitResult, type LaunchContext, type RunningTrial, type TrialExecutor, type TrialRequest } from '../../controller/trial-executor.ts'
import { jobExperiment } from '../helpers/job-experiment.ts'

/**
 * The executor conformance suite: what the runner (controller/experiment-runner.ts) relies on of
 * every TrialExecutor (controller/trial-executor.ts), checked the same way for each one through
 * the interface alone. Each executor's test file passes a harness; where an executor
 * legitimately differs, its harness says so through a capability, and the suite checks that
 * difference instead of skipping the check.
 *
 * Every trial runs trial-program.mjs (its flags say what it does) as the primary container of a
 * batch/v1 Job trialSpec: the local executor runs that container's command as a child process,
 * the Kubernetes one creates the Job (the fake API server runs the command as a local process),
 * and the fake executor's harness plays the same flags as a script.
 */

export const TRIAL_PROGRAM = fileURLToPath(new URL('./trial-program.mjs', import.meta.url))

export interface ExecutorCapabilities {
  /** How a program that exits with a code fails: the reason the executor gives, and where the code is. */
  readonly failure: {
    readonly reason: string
    /** `field`: ExitResult.exitCode; `message`: only in the message (a Job's failure is its condition, the code comes from its pod). */
    readonly exitCode: 'field' | 'message'
  }
  /**
   * attach() after a controller restart: `true`, or why the executor has none (its trials
   * cannot outlive their controller); the suite then checks that it really has none.
   */
  readonly attach: true | { readonly absent: string }
  /** The reason a trial whose program does not exist fails with (locally found before the start; on a cluster, the container's start fails the Job). */
  readonly cannotStart: string
}

/** A trial a controller left running when it died. */
export interface LeftTrial {
  readonly name: string
  readonly trial: RunningTrial
}

export interface ExecutorHarness {
  /** Before every test of the suite (start a fake API server, ...). */
  setup?(): Promise<void>
  /** After them: ends what is left (the suite stops its trials first). */
  teardown?(): Promise<void>
  /** An executor as one controller holds it. */
  executor(): TrialExecutor
  /**
   * The controller that held `previous` dies with `left` still running (nothing of it follows
   * them any more; they run on as the executor's trials outlive a controller, if they do), and
   * the next one starts: its executor.
   */
  restart(previous: TrialExecutor, left: readonly LeftTrial[]): TrialExecutor
  /** Relative paths and per-trial folders (runDir must be writable); its env is added to each trial's. */
  context(): LaunchContext
  /** metadata.namespace of the experiments (a cluster executor's namespace). */
  readonly namespace: string
  readonly capabilities: ExecutorCapabilities
}

type Failed = Extract<ExitResult, { phase: 'failed' }>

/** A trial's lines as they arrive, with a way to wait for one. */
class Lines {
  readonly all: string[] = []
  readonly #waiters: { predicate: (lines: readonly string[]) => boolean; resolve: () => void }[] = []

  readonly onLine = (line: string): void => {
    this.all.push(line)
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(this.all)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }

  /** Resolves once the lines so far satisfy `predicate` (the test's timeout bounds the wait). */
  until(predicate: (lines: readonly string[]) => boolean): Promise<void> {
    if (predicate(this.all)) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push({ predicate, resolve }))
  }
}

const numbered = (n: number, from = 1) => Array.from({ length: n - from + 1 }, (_, i) => `line ${from + i}`)

/** Runs the conformance suite against the executor `harness` builds, as describe(`title`). */
export function executorConformance(title: string, harness: ExecutorHarness): void {
  describe(`executor conformance: ${title}`, () => {
    const suffix = Date.now().toString(36)
    let count = 0
    const started: RunningTrial[] = []
    const executors: TrialExecutor[] = []
    const executor = () => {
      const made = harness.executor()
      executors.push(made)
      return made
    }

    const experimentOf = (flags: readonly string[], o: { readonly command?: readonly string[]; readonly extraJobSpec?: string } = {}): Experiment =>
      jobExperiment({
        name: 'conformance',
        namespace: harness.namespace,
        maxTrials: 1,
        parallel: 1,
        image: 'docker.io/library/node:20',
        command: [...(o.command ?? [process.execPath, TRIAL_PROGRAM]), ...flags, '--lr=${trialParameters.learningRate}'],
        ...(o.extraJobSpec === undefined ? {} : { extraJobSpec: o.extraJobSpec }),
      })

    const requestOf = (flags: readonly string[], name = `conformance-${suffix}-${++count}`, o: Parameters<typeof experimentOf>[1] = {}): TrialRequest => ({
      experiment: experimentOf(flags, o),
      trial: { name, params: { lr: 0.05 } },
      checkpointDir: '',
      context: harness.context(),
    })

    async function launch(on: TrialExecutor, flags: readonly string[], o: Parameters<typeof experimentOf>[1] = {}) {
      const request = requestOf(flags, undefined, o)
      const lines = new Lines()
      const trial = await (await on.prepare(request)).start(lines.onLine)
      started.push(trial)
      return { request, trial, lines, name: request.trial.name }
    }

    /** How it ended; `done` rejecting is a failure of the contract, not of the trial. */
    async function outcome(trial: RunningTrial): Promise<ExitResult> {
      let result: ExitResult | undefined
      await assert.doesNotReject(trial.done.then((r) => void (result = r)), '`done` never rejects')
      return result!
    }

    const failed = (result: ExitResult): Failed => {
      assert.equal(result.phase, 'failed', JSON.stringify(result))
      return result as Failed
    }

    /** The handle as the runner stores it on the trial row: plain JSON. */
    const stored = (trial: RunningTrial): unknown => JSON.parse(JSON.stringify(trial.handle))

    before(async () => {
      await harness.setup?.()
    })

    after(async () => {
      for (const trial of started) trial.stop('Killed')
      await Promise.all(started.map((trial) => Promise.race([trial.done, new Promise((resolve) => setTimeout(resolve, 2000).unref())])))
      await harness.teardown?.()
    })

    test('a trial that succeeds: its lines arrive complete and in order, then done resolves succeeded', async () => {
      const { trial, lines } = await launch(executor(), ['--lines=300'])
      assert.deepEqual(await outcome(trial), { phase: 'succeeded' })
      assert.deepEqual(lines.all, ['lr=0.05', ...numbered(300)])
      assert.equal(trial.handle.kind, executors.at(-1)!.kind, 'its handle says which executor runs it')
    })

    test('a trial that fails: the reason, the message and the exit code reach its ExitResult', async () => {
      const { trial, lines } = await launch(executor(), ['--lines=2', '--exit=3'])
      const result = failed(await outcome(trial))
      assert.equal(result.reason, harness.capabilities.failure.reason)
      assert.ok(result.message.length > 0, 'a message to show')
      if (harness.capabilities.failure.exitCode === 'field') assert.equal(result.exitCode, 3)
      else assert.match(result.message, /exit code 3\b/)
      assert.deepEqual(lines.all, ['lr=0.05', 'line 1', 'line 2'], 'what it printed before it failed')
    })

    test('the launch context\'s env and the trial\'s name and parameters reach the trial', async () => {
      const context = harness.context()
      const value = 'a b=c "d" $HOME'
      const request = { ...requestOf(['--env=CONFORMANCE_VALUE,TUNEWELL_TRIAL_NAME']), context: { ...context, env: { ...context.env, CONFORMANCE_VALUE: value } } }
      const lines = new Lines()
      const trial = await (await executor().prepare(request)).start(lines.onLine)
      started.push(trial)
      assert.deepEqual(await outcome(trial), { phase: 'succeeded' })
      assert.deepEqual(lines.all, ['lr=0.05', `CONFORMANCE_VALUE=${value}`, `TUNEWELL_TRIAL_NAME=${request.trial.name}`])
    })

    test('stop() ends a running trial with its reason; a second stop changes nothing', async () => {
      const { trial, lines } = await launch(executor(), ['--hang'])
      await lines.until((all) => all.includes('running'))
      trial.stop('Killed')
      trial.stop('EarlyStopped')
      const result = failed(await outcome(trial))
      assert.equal(result.reason, 'Killed')
      assert.ok(result.message.length > 0)
      trial.stop('EarlyStopped')
      assert.deepEqual(await trial.done, result)
    })

    test('stop() right after start, before the trial printed anything, ends it with the reason', async () => {
      const { trial } = await launch(executor(), ['--hang'])
      trial.stop('EarlyStopped')
      assert.equal(failed(await outcome(trial)).reason, 'EarlyStopped')
    })

    test('activeDeadlineSeconds ends a trial that runs past it: DeadlineExceeded', async () => {
      const { trial } = await launch(executor(), ['--hang'], { extraJobSpec: '        activeDeadlineSeconds: 1\n' })
      const result = failed(await outcome(trial))
      assert.equal(result.reason, 'DeadlineExceeded', JSON.stringify(result))
      assert.match(result.message, /deadline/)
    })

    test('a program that cannot start: done resolves failed (it never rejects), and the message names the program', async () => {
      const missing = 'tunewell-conformance-no-such-program'
      const { trial } = await launch(executor(), ['--lines=1'], { command: [missing] })
      const result = failed(await outcome(trial))
      assert.equal(result.reason, harness.capabilities.cannotStart, JSON.stringify(result))
      assert.match(result.message, new RegExp(missing))
    })

    test('stop() after the trial ended is a no-op', async () => {
      const { trial } = await launch(executor(), ['--lines=1'])
      assert.deepEqual(await outcome(trial), { phase: 'succeeded' })
      trial.stop('Killed')
      trial.stop('Killed')
      assert.deepEqual(await trial.done, { phase: 'succeeded' })
    })

    test('stopOrphan ends, from its stored handle, what a previous controller left running; then finds nothing', async () => {
      const first = executor()
      const { trial, lines, name } = await launch(first, ['--hang'])
      await lines.until((all) => all.includes('running'))
      const handle = stored(trial)
      const next = harness.restart(first, [{ name, trial }])
      executors.push(next)
      const context = harness.context()
      assert.equal(await next.stopOrphan({ name, execution: handle }, context), true, 'it was still running')
      // Ended for good: a later look finds nothing (an ending takes the executor a moment: a process reaped, a workload's deletion finished).
      while (await next.stopOrphan({ name, execution: handle }, context)) await new Promise((resolve) => setTimeout(resolve, 50))
      assert.equal(await next.stopOrphan({ name, execution: null }, context), false, 'no handle, nothing to stop')
      assert.equal(await next.stopOrphan({ name: 'conformance-never-started', execution: { kind: 'another-executor' } }, context), false, 'another executor\'s handle')
    })

    const attach = harness.capabilities.attach
    if (attach === true) {
      test('attach after a restart follows the trial on: every line once, in order, and how it ends', async () => {
        const first = executor()
        const { trial, lines, name, request } = await launch(first, ['--lines=12', '--interval-ms=100'])
        await lines.until((all) => all.includes('line 3'))
        const handle = stored(trial)
        const next = harness.restart(first, [{ name, trial }])
        executors.push(next)
        assert.ok(next.attach, 'the capability says it has attach()')
        assert.equal(await next.attach({ name, execution: null }, request), undefined, 'no handle: nothing to attach to')
        const prepared = await next.attach({ name, execution: handle }, request)
        assert.ok(prepared, 'it still runs: there is something to attach to')
        const again = new Lines()
        const followed = await prepared.start(again.onLine)
        started.push(followed)
        assert.deepEqual(stored(followed), handle, 'the same trial, not a new one')
        assert.deepEqual(await outcome(followed), { phase: 'succeeded' })
        // Delivered from its start again (trial-executor.ts): the runner drops what it stored before.
        assert.deepEqual(again.all, ['lr=0.05', ...numbered(12)])
      })
    } else {
      test(`attach is not offered: ${attach.absent}`, () => {
        assert.equal(harness.executor().attach, undefined, 'the capability says it has no attach(), so the runner stops the orphan and relaunches')
      })
    }

    test('a template that cannot become a trial: prepare() rejects with a LaunchError that says why, and nothing starts', async () => {
      const request = requestOf(['--lines=1'])
      const unassigned = { ...request, trial: { ...request.trial, params: {} } }
      await assert.rejects(executor().prepare(unassigned), (error: unknown) => {
        assert.ok(error instanceof LaunchError, String(error))
        assert.match(error.message, /\blr\b/, 'it names what is missing')
        return true
      })
    })
  })
}
