import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LocalProcessExecutor, type LocalHandle, type LocalLaunch } from '../../controller/local-process-executor.ts'
import { isSameProcessAlive } from '../../controller/process-identity.ts'
import type { FailedAttempt } from '../../controller/trial-executor.ts'
import { readTrialHandle, trialHandleFile } from '../../controller/trial-handle-file.ts'
import { until } from '../helpers/processes.ts'

/** A Job's retries on this machine: the flaky fixture fails its first N runs, counting them in its trial folder. */
const flaky = fileURLToPath(new URL('../fixtures/trials/flaky.mjs', import.meta.url))
const runDir = mkdtempSync(join(tmpdir(), 'tunewell-retries-'))
after(() => rmSync(runDir, { recursive: true, force: true }))

let count = 0
function launch(flags: readonly string[], over: Partial<LocalLaunch> = {}): LocalLaunch {
  const name = `retry-${++count}`
  return {
    trialName: name,
    command: [process.execPath, flaky, ...flags],
    env: { PATH: process.env.PATH ?? '', TUNEWELL_TRIAL_DIR: join(runDir, name) },
    cwd: runDir,
    logPath: join(runDir, name, 'output.log'),
    handlePath: trialHandleFile(runDir, name),
    ...over,
  }
}
function attemptsOf(l: LocalLaunch): number {
  try {
    return readFileSync(join(runDir, l.trialName, 'attempts.txt'), 'utf8').split('\n').filter(Boolean).length
  } catch {
    return 0
  }
}
const job = (limit: number) => ({ limit, on: 'any' as const, source: `backoffLimit ${limit}` })

test('a trial that fails twice then succeeds is retried until it succeeds; each failed attempt is heard before the next starts', async () => {
  const l = launch(['--fail-times=2', '--bad-loss=0.1', '--loss=0.5'], { retries: job(6) })
  const lines: string[] = []
  const heard: { attempt: FailedAttempt; attemptsSoFar: number }[] = []
  const run = new LocalProcessExecutor({ backoffMs: 20 }).start(l, (line) => lines.push(line), async (attempt) => {
    heard.push({ attempt, attemptsSoFar: attemptsOf(l) })
    await new Promise((resolve) => setTimeout(resolve, 100))
  })
  assert.deepEqual(await run.done, { phase: 'succeeded' })
  assert.equal(attemptsOf(l), 3)
  assert.deepEqual(heard.map((h) => [h.attempt.attempt, h.attempt.attempts, h.attempt.result.reason, h.attempt.result.exitCode, h.attemptsSoFar]), [[1, 7, 'Error', 1, 1], [2, 7, 'Error', 1, 2]])
  assert.deepEqual(heard.map((h) => h.attempt.delayMs), [20, 40], 'the back-off doubles')
  assert.match(heard[1]!.attempt.result.message, /exited with code 1.*\nattempt 2: CUDA error: out of memory$/s)
  // Every attempt's lines reach the collector, each attempt from its first step again.
  assert.deepEqual(lines.filter((line) => line.startsWith('step 1')), ['step 1: loss=0.1', 'step 1: loss=0.1', 'step 1: loss=0.5'])
  const log = readFileSync(l.logPath, 'utf8')
  assert.match(log, /attempt 1: CUDA error[\s\S]*--- tunewell: attempt 1 of 7 failed \(Error, exit code 1\); attempt 2 starts in 20 ms \(backoffLimit 6\) ---[\s\S]*attempt 2: CUDA error[\s\S]*step 2: loss=0.5\n$/)
  assert.equal(readTrialHandle(l.handlePath!), undefined, 'no handle file is left once the trial ended')
})

test('backoffLimit 0 fails at once, the message ending with the last lines of stderr', async () => {
  const l = launch(['--fail-times=5', '--exit-code=2'], { retries: job(0) })
  let retried = false
  const exit = await new LocalProcessExecutor({ backoffMs: 20 }).start(l, () => {}, async () => { retried = true }).done
  assert.equal(retried, false)
  assert.equal(attemptsOf(l), 1)
  assert.equal(exit.phase === 'failed' && exit.exitCode, 2)
  assert.equal(exit.phase === 'failed' && exit.message, `trial process exited with code 2; see its log ${l.logPath}\nattempt 1: CUDA error: out of memory`)
})

test('the local form (no retries) fails fast too; once the retries are used up, the message says so, with the last attempt\'s lines', async () => {
  const short = launch(['--fail-times=5'])
  const once = await new LocalProcessExecutor({ backoffMs: 20 }).start(short, () => {}).done
  assert.equal(once.phase, 'failed')
  assert.equal(attemptsOf(short), 1)
  const l = launch(['--fail-times=5'], { retries: job(1) })
  const exit = await new LocalProcessExecutor({ backoffMs: 20 }).start(l, () => {}).done
  assert.equal(attemptsOf(l), 2)
  assert.equal(exit.phase === 'failed' && exit.reason, 'Error')
  const message = exit.phase === 'failed' ? exit.message : ''
  assert.match(message, /^trial process exited with code 1; see its log \S+ \(attempt 2 of 2: backoffLimit 1 reached\)\nattempt 2: CUDA error: out of memory$/)
  assert.doesNotMatch(message, /attempt 1: CUDA/, 'the tail is the last attempt\'s')
})

test('with stdout only, the tail is the end of stdout', async () => {
  const l = launch([], { command: [process.execPath, '-e', 'console.log("loading data"); console.log("no such file: /opt/mnist.py"); process.exit(4)'] })
  const exit = await new LocalProcessExecutor().start(l, () => {}).done
  assert.match(exit.phase === 'failed' ? exit.message : '', /\nloading data\nno such file: \/opt\/mnist.py$/)
})

test('a stop during the back-off ends the trial at once, without another attempt', async () => {
  const l = launch(['--fail-times=5'], { retries: job(6) })
  let heard!: () => void
  const retrying = new Promise<void>((resolve) => { heard = resolve })
  const run = new LocalProcessExecutor({ backoffMs: 60_000 }).start(l, () => {}, async () => heard())
  await retrying
  const stoppedAt = Date.now()
  run.stop('Killed')
  const exit = await run.done
  assert.ok(Date.now() - stoppedAt < 2000, `done ${Date.now() - stoppedAt} ms after the stop`)
  assert.equal(exit.phase === 'failed' && exit.reason, 'Killed')
  assert.equal(attemptsOf(l), 1)
})

test('activeDeadlineSeconds bounds the whole trial, its retries and back-offs included', async () => {
  const l = launch(['--fail-times=1000'], { retries: job(1000), timeoutMs: 2500 })
  const started = Date.now()
  const exit = await new LocalProcessExecutor({ backoffMs: 200 }).start(l, () => {}).done
  assert.equal(exit.phase === 'failed' && exit.reason, 'DeadlineExceeded')
  assert.match(exit.phase === 'failed' ? exit.message : '', /deadline of 3 s[^\n]*\nattempt \d+: CUDA error: out of memory$/)
  assert.ok(attemptsOf(l) >= 2, 'it was retried before the deadline')
  assert.ok(Date.now() - started < 6000)
})

test('a restarted controller\'s stopOrphan finds the attempt that runs, though the row keeps the first attempt\'s handle', async () => {
  const l = launch(['--fail-times=1', '--hang=true'], { retries: job(6), killGraceMs: 500 })
  const run = new LocalProcessExecutor({ backoffMs: 20 }).start(l, () => {})
  const first: LocalHandle = { ...run.handle }
  await until(() => attemptsOf(l) === 2 && readTrialHandle(l.handlePath!)?.pid !== undefined && readTrialHandle(l.handlePath!)?.pid !== first.pid, 'the second attempt')
  const second = readTrialHandle(l.handlePath!)!
  assert.equal(run.handle.pid, second.pid, 'the running trial\'s handle is its current attempt\'s')
  const stopped = await new LocalProcessExecutor().stopOrphan({ name: l.trialName, execution: first }, { baseDir: runDir, runDir, env: {} })
  assert.equal(stopped, true)
  await until(() => !isSameProcessAlive(second.pid, second.startTime), 'the second attempt ended')
  run.stop('Interrupted')
  await run.done
})
