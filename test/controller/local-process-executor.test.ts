import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LocalProcessExecutor, type LocalLaunch } from '../../controller/local-process-executor.ts'
import { MAX_PARSED_LINE } from '../../controller/output-lines.ts'
import { isSameProcessAlive, processStartTime, signalGroup, signalTrial } from '../../controller/process-identity.ts'
import { trialHandleFile } from '../../controller/trial-handle-file.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { isRunning, liveGroupMembers, until } from '../helpers/processes.ts'

const fixture = fileURLToPath(new URL('../fixtures/trials/quadratic.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'tunewell-exec-'))
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

test('a trial ends when its process exits, though a background child still holds stdout; the child is stopped', { timeout: 60_000 }, async () => {
  const lines: string[] = []
  const run = new LocalProcessExecutor().start(launch('background', ['sh', '-c', 'sleep 600 & echo "child $!"; echo loss=0.5']), (l) => lines.push(l))
  assert.deepEqual(await run.done, { phase: 'succeeded' })
  assert.ok(lines.includes('loss=0.5'), lines.join('\n'))
  const child = Number(lines.find((l) => l.startsWith('child '))!.slice('child '.length))
  await until(() => !isRunning(child), `background child ${child} stopped`)
  await until(() => liveGroupMembers(run.handle.pid).length === 0, `trial group ${run.handle.pid} gone`)
})

test('a character split between two writes is decoded whole', async () => {
  const lines: string[] = []
  const script = `process.stdout.write(Buffer.from([0xe2, 0x82])); setTimeout(() => process.stdout.write(Buffer.from([0xac, 0x0a])), 200)`
  assert.deepEqual(await new LocalProcessExecutor().start(launch('utf8', [process.execPath, '-e', script]), (l) => lines.push(l)).done, { phase: 'succeeded' })
  assert.deepEqual(lines, ['€'])
})

test('a 50 MB line without a newline is logged whole and parsed only in part; the next line still counts', { timeout: 120_000 }, async () => {
  const size = 50 * 1024 * 1024
  const lines: string[] = []
  const script = `process.stdout.write(Buffer.alloc(${size}, 'x')); process.stdout.write('\\nloss=0.5\\n')`
  const run = new LocalProcessExecutor().start(launch('huge', [process.execPath, '-e', script]), (l) => lines.push(l))
  assert.deepEqual(await run.done, { phase: 'succeeded' })
  assert.deepEqual(lines.map((l) => l.length), [MAX_PARSED_LINE, 'loss=0.5'.length])
  assert.equal(lines[1], 'loss=0.5')
  assert.equal(statSync(run.handle.logPath).size, size + '\nloss=0.5\n'.length)
  rmSync(run.handle.logPath)
})

test('a trial whose working directory is missing fails to start without a pid that could be signalled', async () => {
  const run = new LocalProcessExecutor().start(launch('no-cwd', [process.execPath, '-e', ''], { cwd: join(dir, 'no-such-dir') }), () => {})
  const exit = await run.done
  assert.equal(exit.phase === 'failed' && exit.reason, 'StartError')
  assert.match(exit.phase === 'failed' ? exit.message : '', /does not exist/)
  run.stop('Killed')
})

test('pids 0 and -1 are never signalled: kill() would reach our own group or every process of the user', async () => {
  // A sentinel in this process group reports each SIGWINCH (ignored by default: harmless to others).
  const sentinel = spawn(process.execPath, ['-e', `process.on('SIGWINCH', () => console.log('hit')); console.log('ready'); setInterval(() => {}, 1000)`], { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  sentinel.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  try {
    await until(() => output.includes('ready'), 'sentinel ready')
    for (const pid of [0, -1, Number.NaN, 1.5]) {
      assert.equal(signalGroup(pid, 'SIGWINCH'), false)
      assert.equal(signalTrial(pid, 'SIGWINCH'), false)
      assert.equal(isSameProcessAlive(pid, undefined), false)
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    sentinel.kill('SIGWINCH')
    await until(() => output.includes('hit'), 'sentinel saw the direct signal')
    assert.equal(output.match(/hit/g)!.length, 1, 'only the direct signal reached the sentinel')
  } finally {
    sentinel.kill('SIGKILL')
  }
})

test('prepare renders the template and clears a File collector\'s file in the trial folder; start runs it', async () => {
  const runDir = join(dir, 'prepared-runs')
  const experiment = quadraticExperiment({
    name: 'prepared', flags: ['--steps=1'],
    extraSpec: '  metricsCollectorSpec:\n    collector: {kind: File}\n    source:\n      fileSystemPath: {path: "metrics.log", kind: File}',
  })
  const executor = new LocalProcessExecutor()
  // What an earlier attempt of the trial wrote.
  mkdirSync(join(runDir, 'prepared-0'), { recursive: true })
  writeFileSync(join(runDir, 'prepared-0', 'metrics.log'), 'loss=9\n')
  const prepared = await executor.prepare({
    experiment, trial: { name: 'prepared-0', params: { x: 0.3, y: 0.7 } }, checkpointDir: join(runDir, 'prepared-0', 'checkpoint'),
    context: { baseDir: dir, runDir, env: { EXTRA: '1' } },
  })
  assert.equal(prepared.metricsFile?.path, join(runDir, 'prepared-0', 'metrics.log'))
  assert.equal(statSync(prepared.metricsFile!.path, { throwIfNoEntry: false }), undefined, 'an earlier attempt\'s metrics file is gone')
  assert.ok(statSync(join(runDir, 'prepared-0')).isDirectory(), 'its folder exists for the trial to write it')
  const lines: string[] = []
  const run = await prepared.start((l) => lines.push(l))
  assert.deepEqual(await run.done, { phase: 'succeeded' })
  assert.deepEqual(lines, ['step 1: loss=0.000000 accuracy=1.0000'])
  assert.equal(executor.kind, 'local')
  assert.equal(run.handle.kind, 'local')
})

test('stopOrphan kills a trial a previous controller left running: found by the row\'s handle, or by its folder\'s handle file', async () => {
  const executor = new LocalProcessExecutor()
  const context = { baseDir: dir, runDir: join(dir, 'orphan-runs'), env: {} }
  const byRow = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' })
  const byFile = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' })
  try {
    const row = { kind: 'local', pid: byRow.pid!, startTime: processStartTime(byRow.pid!), logPath: 'x' }
    assert.equal(await executor.stopOrphan({ name: 'by-row', execution: row }, context), true)
    await until(() => !isRunning(byRow.pid!), 'the orphan named on its row stopped')
    // The controller died between the spawn and the row's write: only the trial folder knows it.
    mkdirSync(join(context.runDir, 'by-file'), { recursive: true })
    writeFileSync(trialHandleFile(context.runDir, 'by-file'), JSON.stringify({ kind: 'local', pid: byFile.pid!, startTime: processStartTime(byFile.pid!), logPath: 'x' }))
    assert.equal(await executor.stopOrphan({ name: 'by-file', execution: { kind: 'local', launching: true } }, context), true)
    await until(() => !isRunning(byFile.pid!), 'the orphan named in its folder stopped')
    assert.equal(await executor.stopOrphan({ name: 'gone', execution: null }, context), false, 'nothing to stop')
  } finally {
    byRow.kill('SIGKILL')
    byFile.kill('SIGKILL')
  }
})

test('stopOrphan leaves alone a process that only shares the pid (another start time): pids are reused', async () => {
  const other = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' })
  try {
    const reused = { kind: 'local', pid: other.pid!, startTime: '1', logPath: 'x' }
    assert.equal(await new LocalProcessExecutor().stopOrphan({ name: 'reused', execution: reused }, { baseDir: dir, runDir: dir, env: {} }), false)
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal(other.exitCode, null)
    assert.equal(other.signalCode, null, 'a process with the same pid but another start time was killed')
  } finally {
    other.kill('SIGKILL')
  }
})
