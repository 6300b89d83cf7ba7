import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer as createHttpsServer } from 'node:https'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MetricPoint } from '../../core/metric.ts'
import { startPushReceiver } from '../../metrics-collector/index.ts'
import { servingCertificate } from '../helpers/fake-kube/tls.ts'

/**
 * `tunewell collect --scrape-url` as the kubelet runs it in a PrometheusMetric trial's pod: a
 * child process scraping the trial's endpoint (here HTTPS with a certificate of the trial's own
 * making, as `scheme: HTTPS` gives) and pushing to a real push receiver. Killed and started again
 * in the same pod (the same state file), it goes on numbering steps instead of writing over the
 * points already stored; SIGTERM makes it push the rest and exit 0.
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

test('a scraping collector restarted in its pod goes on numbering steps; on SIGTERM it pushes the rest and exits 0', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tunewell-scrape-'))
  const received: MetricPoint[] = []
  const receiver = await startPushReceiver((trial, points) => {
    assert.equal(trial, 'trial-1')
    received.push(...points)
  })
  let body = ''
  let scrapes = 0
  const endpoint = createHttpsServer(servingCertificate(), (req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end()
    scrapes++
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body)
  })
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve))
  const { port } = endpoint.address() as AddressInfo
  try {
    const ready = join(dir, '.ready')
    const state = join(dir, 'scrape-state.json')
    const args = ['--scrape-url', `https://127.0.0.1:${port}/metrics`, '--metric', 'loss', '--metric', 'accuracy', '--poll-ms', '50', '--progress-file', state, '--ready-file', ready]
    const env = { TUNEWELL_REPORT_URL: receiver.urlFor('trial-1'), TUNEWELL_REPORT_TOKEN: receiver.tokenFor('trial-1') }

    body = 'loss 0.9\naccuracy 0.1\n'
    const first = collect(args, env)
    await until('the first points', () => received.length === 2).catch((error: Error) => {
      throw new Error(`${error.message}; received ${JSON.stringify(received)}; collector said: ${first.stderr()}`)
    })
    body = 'loss 0.8\naccuracy 0.1\n'
    await until('the second loss', () => received.length === 3)
    await until('the state file to number it', () => existsSync(state) && (JSON.parse(readFileSync(state, 'utf8')) as { steps: Record<string, number> }).steps.loss === 2)
    first.child.kill('SIGKILL')
    assert.equal(await first.exit, null, 'killed, not ended by itself')

    // Restarted: the gauges it saw are not new; the next value gets the next step, not step 0.
    rmSync(ready)
    const second = collect(args, env)
    await until('the second collector to be ready', () => existsSync(ready))
    const before = scrapes
    await until('a scrape of the unchanged page', () => scrapes > before + 1)
    body = 'loss 0.7\naccuracy 0.3\n'
    await until('the changed values', () => received.length >= 5)
    second.child.kill('SIGTERM')
    assert.equal(await second.exit, 0, second.stderr())
    assert.match(second.stderr(), /restarted: numbering goes on from \{"loss":2,"accuracy":1\}/)
    assert.deepEqual(received.map((p) => `${p.name}@${p.step}=${p.value}`), ['loss@0=0.9', 'accuracy@0=0.1', 'loss@1=0.8', 'loss@2=0.7', 'accuracy@1=0.3'])
  } finally {
    endpoint.close()
    await receiver.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('--scrape-url: one source only, an http(s) URL, no file options', async () => {
  const env = { TUNEWELL_REPORT_URL: 'http://127.0.0.1:1/x', TUNEWELL_REPORT_TOKEN: 't' }
  const cases: [string[], string][] = [
    [['--scrape-url', 'ftp://x/metrics', '--metric', 'loss'], 'error: --scrape-url must be an http or https URL, got "ftp://x/metrics"\n'],
    [['--scrape-url', 'http://127.0.0.1:8080/metrics', '--metrics-file', '/m.log', '--metric', 'loss'], 'error: give exactly one of --metrics-file (File collector), --tfevent-dir (TensorFlowEvent collector) or --scrape-url (PrometheusMetric collector)\n'],
    [['--scrape-url', 'http://127.0.0.1:8080/metrics', '--format', 'JSON', '--metric', 'loss'], 'error: --format and --filter apply to --metrics-file only\n'],
  ]
  for (const [args, message] of cases) {
    const run = collect(args, env)
    assert.equal(await run.exit, 2, args.join(' '))
    assert.equal(run.stderr(), message)
  }
})
