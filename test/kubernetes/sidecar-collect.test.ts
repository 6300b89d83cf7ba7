import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MetricPoint } from '../../core/metric.ts'
import { startPushReceiver } from '../../metrics-collector/index.ts'
import { PROGRESS_FILE_NAME } from '../../cli/collect-command.ts'

/**
 * `tunewell collect` as the kubelet runs it in a trial's pod: a child process with the push URL
 * and token in its environment, against a real push receiver. Killed (a crash) and started again
 * in the same pod, it sends nothing twice; SIGTERM (the trial's container ended) makes it push
 * the rest, the last line without a newline too, and exit 0.
 */

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))

const until = async (what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function collect(args: readonly string[], env: NodeJS.ProcessEnv): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, 'collect', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return { child, stderr: () => stderr, exit: new Promise((resolve) => child.on('close', (code) => resolve(code))) }
}

test('a collector restarted in the same pod skips what it pushed; on SIGTERM it pushes the rest and exits 0', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tunewell-collect-'))
  const received: MetricPoint[] = []
  const receiver = await startPushReceiver((trial, points) => {
    assert.equal(trial, 'trial-1')
    received.push(...points)
  })
  try {
    const file = join(dir, 'metrics.log')
    const ready = join(dir, '.ready')
    const args = ['--metrics-file', file, '--metric', 'loss', '--metric', 'accuracy', '--ready-file', ready, '--poll-ms', '50']
    const env = { TUNEWELL_REPORT_URL: receiver.urlFor('trial-1'), TUNEWELL_REPORT_TOKEN: receiver.tokenFor('trial-1') }

    const first = collect(args, env)
    await until('the first collector to be ready', () => existsSync(ready))
    appendFileSync(file, 'epoch 0 loss=0.9 accuracy=0.1\nepoch 1 loss=0.8\n')
    await until('the first points', () => received.length === 3)
    // Acknowledged, then counted in the progress file: a kill between the two resends them (the
    // store keeps one value per metric and step, so that is harmless), so kill after the count.
    const progress = join(dir, PROGRESS_FILE_NAME)
    await until('the progress file to count them', () => existsSync(progress) && (JSON.parse(readFileSync(progress, 'utf8')) as { pushed?: number }).pushed === 3)
    first.child.kill('SIGKILL')
    assert.equal(await first.exit, null, 'killed, not ended by itself')

    appendFileSync(file, 'epoch 2 loss=0.7 accuracy=0.3\nepoch 3 loss=0.6')
    rmSync(ready)
    const second = collect(args, env)
    await until('the second collector to be ready', () => existsSync(ready))
    // At least: a resent point would make more, and the exact list below says which.
    await until('the new complete line', () => received.length >= 5).catch((error: Error) => {
      throw new Error(`${error.message}; received ${JSON.stringify(received)}; collector said: ${second.stderr()}`)
    })
    second.child.kill('SIGTERM')
    assert.equal(await second.exit, 0, second.stderr())
    assert.match(second.stderr(), /restarted: 3 points were pushed before, not sent again/)

    const seen = received.map((p) => `${p.name}@${p.step}=${p.value}`)
    assert.deepEqual(seen, ['loss@0=0.9', 'accuracy@0=0.1', 'loss@1=0.8', 'loss@2=0.7', 'accuracy@1=0.3', 'loss@3=0.6'])
  } finally {
    await receiver.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('bad flags or a missing token: a one-line error and exit 2, nothing read', async () => {
  const result = collect(['--metrics-file', 'relative.log', '--metric', 'loss'], { TUNEWELL_REPORT_URL: 'http://127.0.0.1:1/x', TUNEWELL_REPORT_TOKEN: 't' })
  assert.equal(await result.exit, 2)
  assert.equal(result.stderr(), 'error: --metrics-file must be an absolute path (the container\'s), got "relative.log"\n')
  const noToken = collect(['--metrics-file', '/m.log', '--metric', 'loss'], { TUNEWELL_REPORT_URL: '', TUNEWELL_REPORT_TOKEN: '' })
  assert.equal(await noToken.exit, 2)
  assert.match(noToken.stderr(), /^error: TUNEWELL_REPORT_URL and TUNEWELL_REPORT_TOKEN must be set/)
})
