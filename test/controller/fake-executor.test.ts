/**
 * The fake executor and the virtual clock that the runner's tests stand on: a fake that reports
 * differently from the local executor would let those tests pass for the wrong reasons.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LaunchError } from '../../controller/trial-executor.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { FakeClock } from '../helpers/fake-clock.ts'
import { FakeExecutor, type TrialScript } from '../helpers/fake-executor.ts'
import { quadraticScript } from '../helpers/fake-trials.ts'

const home = mkdtempSync(join(tmpdir(), 'tunewell-fake-executor-'))

async function start(executor: FakeExecutor, flags: string[] = [], o: { deadlineSeconds?: number } = {}) {
  const experiment = quadraticExperiment({ name: 'fake', flags, ...o })
  const prepared = await executor.prepare({
    experiment, trial: { name: 'fake-0', params: { x: 0.3, y: 0.7 } }, checkpointDir: join(home, 'fake-0', 'checkpoint'),
    context: { baseDir: home, runDir: home, env: {} },
  })
  const lines: string[] = []
  const running = await prepared.start((line) => lines.push(line))
  return { running, lines }
}

test('the virtual clock fires timers in due order, by hand or on its own', async () => {
  const manual = new FakeClock({ start: 0, auto: false })
  const fired: string[] = []
  manual.setTimeout(() => fired.push('b'), 200)
  manual.setTimeout(() => fired.push('a'), 100)
  const cancel = manual.setTimeout(() => fired.push('never'), 150)
  cancel()
  manual.advance(99)
  assert.deepEqual(fired, [])
  manual.advance(101)
  assert.deepEqual(fired, ['a', 'b'])
  assert.equal(manual.now(), 200)

  const auto = new FakeClock({ start: 0 })
  const before = Date.now()
  await auto.sleep(60_000)
  assert.equal(auto.now(), 60_000)
  assert.ok(Date.now() - before < 60_000, 'a virtual minute passed without waiting for it')
})

test('a scripted trial prints its lines and exits as its script says, reported as the local executor reports it', async () => {
  const ok = await start(new FakeExecutor(quadraticScript), ['--steps=2'])
  assert.deepEqual(await ok.running.done, { phase: 'succeeded' })
  assert.deepEqual(ok.lines, ['step 1: loss=0.100000 accuracy=1.0000', 'step 2: loss=0.000000 accuracy=1.0000'])
  const failed = await start(new FakeExecutor(quadraticScript), ['--mode=fail', '--steps=1'])
  const exit = await failed.running.done
  assert.equal(exit.phase === 'failed' && exit.reason, 'Error')
  assert.match(exit.phase === 'failed' ? exit.message : '', /exited with code 3/)
})

test('a hanging trial ends when stopped, with the reason; a deadline stops it on the clock', async () => {
  const executor = new FakeExecutor(quadraticScript)
  const hang = await start(executor, ['--mode=hang'])
  assert.deepEqual(executor.running, ['fake-0'])
  hang.running.stop('Killed')
  hang.running.stop('Killed again')
  assert.deepEqual(await hang.running.done, { phase: 'failed', reason: 'Killed', message: 'trial was stopped (Killed)' })
  assert.deepEqual(executor.running, [])
  assert.deepEqual(executor.events.map((e) => e.type), ['start', 'stop', 'exit'])

  const deadline = await start(new FakeExecutor(quadraticScript), ['--mode=hang'], { deadlineSeconds: 2 })
  const exit = await deadline.running.done
  assert.equal(exit.phase === 'failed' && exit.reason, 'DeadlineExceeded')
})

test('a trial that ignores its stop runs on, prints on, and still ends as stopped', async () => {
  let release: () => void = () => {}
  const script: TrialScript = async (trial) => {
    trial.ignoreStop()
    await trial.stopped
    trial.print('still here')
    await new Promise<void>((resolve) => (release = resolve))
    return 0
  }
  const executor = new FakeExecutor(script)
  const { running, lines } = await start(executor)
  running.stop('EarlyStopped')
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(executor.running, ['fake-0'], 'it runs on after the stop')
  release()
  assert.deepEqual(await running.done, { phase: 'failed', reason: 'EarlyStopped', message: 'trial was stopped (EarlyStopped)' })
  assert.deepEqual(lines, ['still here'])
})

test('a template that cannot run fails prepare with a LaunchError, as on the local executor', async () => {
  const experiment = quadraticExperiment({ name: 'no-template' })
  const askTell = { ...experiment, spec: { ...experiment.spec, trialTemplate: undefined } }
  await assert.rejects(new FakeExecutor(quadraticScript).prepare({
    experiment: askTell, trial: { name: 'no-template-0', params: {} }, checkpointDir: home, context: { baseDir: home, runDir: home, env: {} },
  }), (error) => error instanceof LaunchError && /no trialTemplate/.test(error.message))
})
