import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseCollectFlags } from '../../cli/collect-command.ts'
import type { MetricPoint } from '../../core/metric.ts'
import { MetricsForwarder, type PointSource } from '../../metrics-collector/metrics-forwarder.ts'
import type { PushOutcome } from '../../metrics-collector/push-client.ts'
import { PushProgress } from '../../metrics-collector/push-progress.ts'

const point = (step: number): MetricPoint => ({ name: 'loss', step, value: step / 10, at: new Date(1_700_000_000_000 + step) })

/** A source that yields the points of `script`, one entry per poll; finish() gives `rest`. */
function scripted(script: MetricPoint[][], rest: MetricPoint[] = []): PointSource & { polls: number } {
  const source = {
    polls: 0,
    poll: async () => script[source.polls++] ?? [],
    finish: async () => rest,
  }
  return source
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tunewell-forwarder-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

test('pushes in order and in batches while the source grows; on stop, the rest, and then it ends', async () => {
  const sent: number[][] = []
  const source = scripted([[point(0), point(1), point(2)], [], [point(3)]], [point(4)])
  const forwarder = new MetricsForwarder({
    source,
    push: async (points) => {
      sent.push(points.map((p) => p.step))
      return { ok: true }
    },
    pollMs: 1,
    batchSize: 2,
  })
  const running = forwarder.run(() => Date.now() + 1000)
  while (source.polls < 4) await new Promise((resolve) => setTimeout(resolve, 1))
  forwarder.stop()
  assert.deepEqual(await running, { pushed: 5, unsent: 0, refused: 0 })
  assert.deepEqual(sent, [[0, 1], [2], [3], [4]])
})

test('a push that fails for a passing reason is tried again with the same points; none is lost or sent twice once accepted', async () => {
  const answers: PushOutcome[] = [{ ok: false, retry: true, message: 'push answered 503' }, { ok: false, retry: true, message: 'push answered 503' }]
  const accepted: number[] = []
  const logged: string[] = []
  const forwarder = new MetricsForwarder({
    source: scripted([[point(0), point(1)]], [point(2)]),
    push: async (points) => {
      const answer = answers.shift() ?? { ok: true }
      if (answer.ok) accepted.push(...points.map((p) => p.step))
      return answer
    },
    pollMs: 1,
    retryMs: 1,
    log: (m) => logged.push(m),
  })
  const running = forwarder.run(() => Date.now() + 1000)
  forwarder.stop()
  assert.deepEqual(await running, { pushed: 3, unsent: 0, refused: 0 })
  assert.deepEqual(accepted, [0, 1, 2])
  assert.deepEqual(logged, ['push answered 503', 'pushing again'], 'an outage is one line')
})

test('once the time to drain ran out, what is left is counted unsent; a 4xx refusal is counted and not retried', async () => {
  let calls = 0
  const stuck = new MetricsForwarder({ source: scripted([], [point(0)]), push: async () => (calls++, { ok: false, retry: true, message: 'down' }), retryMs: 1 })
  stuck.stop()
  const until = Date.now() + 20
  assert.deepEqual(await stuck.run(() => until), { pushed: 0, unsent: 1, refused: 0 })
  assert.ok(calls >= 2, 'it kept trying until the deadline')
  const refused = new MetricsForwarder({ source: scripted([], [point(0), point(1)]), push: async () => ({ ok: false, retry: false, message: '400' }) })
  refused.stop()
  assert.deepEqual(await refused.run(() => Date.now() + 1000), { pushed: 0, unsent: 0, refused: 2 })
})

test('a restarted collector reads its source again from the start and skips what the progress file says was pushed', () =>
  withDir(async (dir) => {
    const progress = new PushProgress(join(dir, 'progress.json'))
    const sent: number[] = []
    const push = async (points: readonly MetricPoint[]): Promise<PushOutcome> => {
      sent.push(...points.map((p) => p.step))
      return { ok: true }
    }
    // The first run pushes 0..2 and dies (no stop: a crash, an OOM kill).
    const first = new MetricsForwarder({ source: scripted([[point(0), point(1), point(2)]]), push, progress, pollMs: 1 })
    void first.run(() => Date.now())
    while (sent.length < 3) await new Promise((resolve) => setTimeout(resolve, 1))
    first.stop()
    assert.equal(progress.load(), 3)
    // The second run reads the same file from its start, with more in it.
    const again = scripted([[point(0), point(1), point(2), point(3)]], [point(4)])
    const second = new MetricsForwarder({ source: again, push, progress, pollMs: 1 })
    assert.equal(second.skipped, 3)
    const running = second.run(() => Date.now() + 1000)
    while (again.polls < 2) await new Promise((resolve) => setTimeout(resolve, 1))
    second.stop()
    assert.deepEqual(await running, { pushed: 2, unsent: 0, refused: 0 })
    assert.deepEqual(sent, [0, 1, 2, 3, 4])
    assert.equal(progress.load(), 5)
  }))

test('an unreadable or absent progress file means nothing was pushed', () =>
  withDir(async (dir) => {
    assert.equal(new PushProgress(join(dir, 'none.json')).load(), 0)
    const broken = new PushProgress(join(dir, 'broken.json'))
    await import('node:fs/promises').then((fs) => fs.writeFile(broken.path, '{"pushed": "many"'))
    assert.equal(broken.load(), 0)
  }))

test('tunewell collect\'s flags: one source, absolute paths, the metrics, and the push URL and token from the environment', () => {
  const env = { TUNEWELL_REPORT_URL: 'http://tunewell.tunewell.svc:8081/trials/t/metrics', TUNEWELL_REPORT_TOKEN: 'tok' }
  const file = parseCollectFlags({ metricsFile: '/var/log/katib/metrics.log', metric: ['accuracy', 'loss'], filter: ['(\\w+)=(\\d+)'] }, env)
  assert.deepEqual(file, {
    source: { kind: 'File', path: '/var/log/katib/metrics.log', format: 'TEXT', filters: ['(\\w+)=(\\d+)'] },
    metricNames: ['accuracy', 'loss'],
    url: env.TUNEWELL_REPORT_URL,
    token: 'tok',
    progressFile: '/var/log/katib/.tunewell-collect-progress.json',
    pollMs: 1000,
    drainMs: 20_000,
  })
  const tf = parseCollectFlags({ tfeventDir: '/logs/test', metric: ['accuracy'], readyFile: '/logs/test/.ready', pollMs: '200' }, env)
  assert.ok(typeof tf !== 'string')
  assert.deepEqual(tf.source, { kind: 'TensorFlowEvent', dir: '/logs/test' })
  assert.equal(tf.progressFile, undefined, 'event files are read in no fixed order; their points carry their own steps')
  assert.equal(tf.readyFile, '/logs/test/.ready')
  assert.equal(tf.pollMs, 200)

  const refusals: [Parameters<typeof parseCollectFlags>[0], NodeJS.ProcessEnv, RegExp][] = [
    [{ metricsFile: '/m.log' }, env, /--metric is required/],
    [{ metric: ['loss'] }, env, /exactly one of --metrics-file .*, --tfevent-dir .* or --scrape-url/],
    [{ metricsFile: '/m.log', tfeventDir: '/d', metric: ['loss'] }, env, /exactly one of/],
    [{ metricsFile: 'm.log', metric: ['loss'] }, env, /--metrics-file must be an absolute path/],
    [{ metricsFile: '/m.log', format: 'YAML', metric: ['loss'] }, env, /--format must be TEXT or JSON/],
    [{ metricsFile: '/m.log', format: 'JSON', filter: ['(a)(b)'], metric: ['loss'] }, env, /--filter applies to the TEXT format only/],
    [{ metricsFile: '/m.log', filter: ['(unclosed'], metric: ['loss'] }, env, /--filter "\(unclosed" is not a valid regular expression/],
    [{ tfeventDir: '/d', format: 'TEXT', metric: ['loss'] }, env, /apply to --metrics-file only/],
    [{ metricsFile: '/m.log', metric: ['loss'] }, {}, /TUNEWELL_REPORT_URL and TUNEWELL_REPORT_TOKEN must be set/],
    [{ metricsFile: '/m.log', metric: ['loss'] }, { ...env, TUNEWELL_REPORT_URL: 'nope' }, /is not a URL/],
    [{ metricsFile: '/m.log', metric: ['loss'], pollMs: '0' }, env, /--poll-ms must be a positive number/],
    [{ metricsFile: '/m.log', metric: ['loss'], drainTimeout: 'soon' }, env, /--drain-timeout must be a positive number/],
  ]
  for (const [flags, environment, message] of refusals) {
    const result = parseCollectFlags(flags, environment)
    assert.equal(typeof result, 'string', JSON.stringify(flags))
    assert.match(result as string, message)
  }
})

test('a source that fails at the end still gets what was read before pushed, and says why the rest is missing', async () => {
  const sent: number[] = []
  const logged: string[] = []
  const source: PointSource & { polls: number } = { polls: 0, poll: async () => (source.polls++ === 0 ? [point(0)] : []), finish: async () => { throw new Error('EACCES: permission denied') } }
  const forwarder = new MetricsForwarder({ source, push: async (points) => (sent.push(...points.map((p) => p.step)), { ok: true }), pollMs: 1, log: (m) => logged.push(m) })
  const running = forwarder.run(() => Date.now() + 1000)
  while (source.polls < 2) await new Promise((resolve) => setTimeout(resolve, 1))
  forwarder.stop()
  assert.deepEqual(await running, { pushed: 1, unsent: 0, refused: 0 })
  assert.deepEqual(sent, [0])
  assert.deepEqual(logged, ['cannot read the rest of the metrics: EACCES: permission denied'])
})
