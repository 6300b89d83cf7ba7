import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LocalProcessExecutor, type LocalLaunch } from '../../controller/local-process-executor.ts'
import { isSameProcessAlive } from '../../controller/process-identity.ts'

const fixture = fileURLToPath(new URL('../fixtures/trials/quadratic.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'hypertune-exec-'))
const launch = (name: string, command: string[], over: Partial<LocalLaunch> = {}): LocalLaunch => ({
  trialName: name, command, env: { PATH: process.env.PATH ?? '' }, cwd: dir, logPath: join(dir, name, 'output.log'), ...over,
})

test('a successful trial streams its lines and keeps them in its log', async () => {
  const lines: string[] = []
  const run = new LocalProcessExecutor().start(launch('ok', [process.execPath, fixture, '--x=0.3', '--y=0.7', '--steps=2']), (l) => lines.push(l))
  assert.deepEqual(await run.done, { phase: 'succeeded' })
  assert.deepEqual(lines, ['step 1: loss=0.100000 accuracy=1.0000', 'step 2: loss=0.000000 accuracy=1.0000'])
  assert.equal(readFileSync(run.handle.logPath, 'utf8'), lines.join('\n') + '\n')
  assert.ok(run.handle.pid > 0)
})

test('a failing trial reports its exit code; stderr is in the log too', async () => {
  const run = new LocalProcessExecutor().start(launch('fail', [process.execPath, fixture, '--mode=fail', '--steps=1']), () => {})
  const exit = await run.done
  assert.equal(exit.phase, 'failed')
  assert.equal(exit.phase === 'failed' && exit.exitCode, 3)
  assert.match(readFileSync(run.handle.logPath, 'utf8'), /simulated failure/)
})

test('a command that does not exist fails with a clear reason', async () => {
  const exit = await new LocalProcessExecutor().start(launch('missing', ['no-such-program-xyz', '--lr=1']), () => {}).done
  assert.equal(exit.phase, 'failed')
  assert.equal(exit.phase === 'failed' && exit.reason, 'CommandNotFound')
  assert.match(exit.phase === 'failed' ? exit.message : '', /"no-such-program-xyz" was not found/)
})

test('parameter values are argv elements: no shell ever interprets them', async () => {
  const marker = join(dir, 'injected')
  const lines: string[] = []
  const value = `1; touch ${marker} $(touch ${marker})`
  const exit = await new LocalProcessExecutor().start(
    launch('inject', [process.execPath, '-e', 'console.log(process.argv[1])', value]), (l) => lines.push(l)).done
  assert.deepEqual(exit, { phase: 'succeeded' })
  assert.deepEqual(lines, [value])
  assert.throws(() => readFileSync(marker))
})

test('a trial past its deadline is killed with its whole process group', async () => {
  const started = Date.now()
  // sh -c starts a grandchild; the deadline must reach it too.
  const run = new LocalProcessExecutor().start(
    launch('hang', ['sh', '-c', `"${process.execPath}" "${fixture}" --mode=hang & wait`], { timeoutMs: 300, killGraceMs: 500 }), () => {})
  const exit = await run.done
  assert.equal(exit.phase === 'failed' && exit.reason, 'DeadlineExceeded')
  assert.ok(Date.now() - started < 5000)
  await new Promise((r) => setTimeout(r, 100))
  assert.equal(isSameProcessAlive(run.handle.pid, run.handle.startTime), false)
})

test('stop() ends a running trial and is idempotent', async () => {
  const run = new LocalProcessExecutor().start(launch('stop', [process.execPath, fixture, '--mode=hang']), () => {})
  run.stop('ExperimentCompleted')
  run.stop('ExperimentCompleted')
  const exit = await run.done
  assert.equal(exit.phase === 'failed' && exit.reason, 'ExperimentCompleted')
})
