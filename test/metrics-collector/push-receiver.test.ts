import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import type { MetricPoint } from '../../core/metric.ts'
import { TUNEWELL_REPORT_TOKEN, TUNEWELL_REPORT_URL } from '../../metrics-collector/env.ts'
import { startPushReceiver, type PushReceiver, type PushSink } from '../../metrics-collector/push-receiver.ts'
import { reportMetrics } from '../../metrics-collector/report.ts'

interface Received {
  trial: string
  points: MetricPoint[]
}

async function withReceiver(
  fn: (r: PushReceiver, received: Received[]) => Promise<void>,
  sink?: PushSink,
): Promise<void> {
  const received: Received[] = []
  const r = await startPushReceiver(sink ?? ((trial, points) => void received.push({ trial, points })))
  try {
    await fn(r, received)
  } finally {
    await r.close()
  }
}

function post(r: PushReceiver, trial: string, body: unknown, token = r.tokenFor(trial)): Promise<Response> {
  return fetch(r.urlFor(trial), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

const brief = (pts: readonly MetricPoint[]): string[] => pts.map((p) => `${p.name}@${p.step}=${p.value}`)

test('listens on 127.0.0.1 and stores a good report with 204', () =>
  withReceiver(async (r, received) => {
    assert.match(r.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    const res = await post(r, 'exp-abc', { metrics: { loss: 0.5, accuracy: 0.8 }, step: 3, timestamp: '2024-01-02T03:04:05Z' })
    assert.equal(res.status, 204)
    assert.equal(received.length, 1)
    assert.equal(received[0].trial, 'exp-abc')
    assert.deepEqual(brief(received[0].points), ['loss@3=0.5', 'accuracy@3=0.8'])
    assert.equal(received[0].points[0].at.toISOString(), '2024-01-02T03:04:05.000Z')
  }))

test('steps default to a per-trial, per-metric counter; NaN/Infinity strings are values', () =>
  withReceiver(async (r, received) => {
    assert.equal((await post(r, 'a', { metrics: { loss: 3 } })).status, 204)
    assert.equal((await post(r, 'a', { metrics: { loss: 2, acc: 0.1 }, timestamp: 1700000000 })).status, 204)
    assert.equal((await post(r, 'b', { metrics: { loss: 'NaN' } })).status, 204)
    assert.equal((await post(r, 'a', { metrics: { loss: '-Infinity', acc: 'Infinity' } })).status, 204)
    assert.deepEqual(
      received.map((x) => `${x.trial}: ${brief(x.points).join(' ')}`),
      ['a: loss@0=3', 'a: loss@1=2 acc@0=0.1', 'b: loss@0=NaN', 'a: loss@2=-Infinity acc@1=Infinity'],
    )
    assert.equal(received[1].points[0].at.toISOString(), '2023-11-14T22:13:20.000Z')
  }))

test('a batch of points, each with its own step and timestamp', () =>
  withReceiver(async (r, received) => {
    const res = await post(r, 't', {
      points: [
        { name: 'loss', value: 1, step: 10 },
        { name: 'loss', value: 0.5 },
        { name: 'acc', value: 0.9, timestamp: '2024-01-01T00:00:00+01:00' },
      ],
    })
    assert.equal(res.status, 204)
    assert.deepEqual(brief(received[0].points), ['loss@10=1', 'loss@11=0.5', 'acc@0=0.9'])
    assert.equal(received[0].points[2].at.toISOString(), '2023-12-31T23:00:00.000Z')
  }))

test("a wrong or missing token is 401, and one trial's token does not open another trial", () =>
  withReceiver(async (r, received) => {
    assert.notEqual(r.tokenFor('a'), r.tokenFor('b'))
    assert.equal(r.tokenFor('a'), r.tokenFor('a'))
    const body = { metrics: { loss: 1 } }
    assert.equal((await post(r, 'b', body, r.tokenFor('a'))).status, 401)
    assert.equal((await post(r, 'a', body, 'x' + r.tokenFor('a'))).status, 401)
    const missing = await fetch(r.urlFor('a'), { method: 'POST', body: JSON.stringify(body) })
    assert.equal(missing.status, 401)
    assert.match(((await missing.json()) as { error: string }).error, /bearer token/)
    assert.equal(received.length, 0)
    // Tokens are per receiver: a new receiver does not accept an old one's.
    const other = await startPushReceiver(() => undefined)
    try {
      assert.notEqual(other.tokenFor('a'), r.tokenFor('a'))
    } finally {
      await other.close()
    }
  }))

test('bad bodies are 400 with a JSON pointer to the bad field', () =>
  withReceiver(async (r, received) => {
    const cases: Array<[unknown, string, RegExp]> = [
      ['{not json', '', /not valid JSON/],
      [[1, 2], '', /JSON object/],
      [{}, '', /exactly one of/],
      [{ metrics: { loss: 1 }, points: [] }, '', /exactly one of/],
      [{ metrics: [] }, '/metrics', /JSON object, got array/],
      [{ metrics: {} }, '/metrics', /at least one/],
      [{ metrics: { loss: '0.5' } }, '/metrics/loss', /must be a number/],
      [{ metrics: { 'a/b': true } }, '/metrics/a~1b', /must be a number/],
      [{ metrics: { loss: 1 }, step: -1 }, '/step', /non-negative integer/],
      [{ metrics: { loss: 1 }, step: 1.5 }, '/step', /non-negative integer/],
      [{ metrics: { loss: 1 }, timestamp: 'noon' }, '/timestamp', /RFC 3339/],
      [{ metrics: { loss: 1 }, stpe: 2 }, '/stpe', /unknown field/],
      [{ points: 'x' }, '/points', /array/],
      [{ points: [{ name: 'loss', value: 1 }, { name: 2, value: 1 }] }, '/points/1/name', /string/],
      [{ points: [{ name: 'loss' }] }, '/points/0/value', /required/],
      [{ points: [{ name: '', value: 1 }] }, '/points/0/name', /empty/],
      [{ points: [{ name: 'loss', value: 1, step: 'one' }] }, '/points/0/step', /integer/],
    ]
    for (const [body, path, error] of cases) {
      const res = await post(r, 't', body)
      assert.equal(res.status, 400, JSON.stringify(body))
      const json = (await res.json()) as { error: string; path: string }
      assert.equal(json.path, path, JSON.stringify(body))
      assert.match(json.error, error, JSON.stringify(body))
    }
    assert.equal(received.length, 0)
  }))

test('a body over 1 MiB is 413', () =>
  withReceiver(async (r, received) => {
    const big = JSON.stringify({ metrics: { loss: 1 }, pad: 'x'.repeat(1024 * 1024) })
    const res = await post(r, 't', big)
    assert.equal(res.status, 413)
    assert.equal(received.length, 0)
    // The receiver is still fine afterwards.
    assert.equal((await post(r, 't', { metrics: { loss: 1 } })).status, 204)
  }))

test('a failing sink is 503 so the client retries; the retry gets the same step', async () => {
  let fail = true
  const stored: MetricPoint[] = []
  await withReceiver(
    async (r) => {
      const res = await post(r, 't', { metrics: { loss: 0.7 } })
      assert.equal(res.status, 503)
      assert.equal(res.headers.get('retry-after'), '1')
      assert.match(((await res.json()) as { error: string }).error, /store is down/)
      fail = false
      assert.equal((await post(r, 't', { metrics: { loss: 0.7 } })).status, 204)
      assert.deepEqual(brief(stored), ['loss@0=0.7'])
    },
    async (_trial, points) => {
      if (fail) throw new Error('store is down')
      stored.push(...points)
    },
  )
})

test('unknown routes are 404, other methods 405, malformed requests do not crash it', () =>
  withReceiver(async (r) => {
    assert.equal((await fetch(`${r.url}/nope`)).status, 404)
    assert.equal((await fetch(`${r.url}/trials/a/metrics/extra`, { method: 'POST' })).status, 404)
    const get = await fetch(r.urlFor('a'))
    assert.equal(get.status, 405)
    assert.equal(get.headers.get('allow'), 'POST')
    assert.equal((await fetch(`${r.url}/trials/%E0%A4%A/metrics`, { method: 'POST' })).status, 400)
    // A client that disconnects halfway through its body.
    await new Promise<void>((resolve) => {
      const req = request(r.urlFor('a'), {
        method: 'POST',
        headers: { authorization: `Bearer ${r.tokenFor('a')}`, 'content-length': '1000' },
      })
      req.on('error', () => resolve())
      req.write('{"metrics":', () => setTimeout(() => req.destroy(), 20))
      req.on('close', () => resolve())
    })
    assert.equal((await post(r, 'a', { metrics: { loss: 1 } })).status, 204)
  }))

test('trial names are percent-encoded in the URL and decoded for the sink', () =>
  withReceiver(async (r, received) => {
    const name = 'exp/with space'
    assert.equal((await post(r, name, { metrics: { loss: 1 } })).status, 204)
    assert.equal(received[0].trial, name)
  }))

test('reportMetrics end to end through the receiver, with retry after a 503', async () => {
  const saved = { url: process.env[TUNEWELL_REPORT_URL], token: process.env[TUNEWELL_REPORT_TOKEN] }
  let failures = 1
  const stored: Received[] = []
  try {
    await withReceiver(
      async (r) => {
        process.env[TUNEWELL_REPORT_URL] = r.urlFor('exp-trial-1')
        process.env[TUNEWELL_REPORT_TOKEN] = r.tokenFor('exp-trial-1')
        await reportMetrics({ loss: 0.42, accuracy: 0.9 }, { step: 1 })
        await reportMetrics({ loss: NaN })
        assert.equal(failures, 0, 'the first attempt failed and was retried')
        assert.deepEqual(
          stored.map((x) => `${x.trial}: ${brief(x.points).join(' ')}`),
          ['exp-trial-1: loss@1=0.42 accuracy@1=0.9', 'exp-trial-1: loss@2=NaN'],
        )
        // A rejected report (4xx) is not retried and says why.
        process.env[TUNEWELL_REPORT_TOKEN] = r.tokenFor('another-trial')
        await assert.rejects(reportMetrics({ loss: 1 }), (err: Error) => {
          assert.match(err.message, /answered 401.*bearer token/)
          assert.doesNotMatch(err.message, /attempts/)
          return true
        })
        process.env[TUNEWELL_REPORT_TOKEN] = r.tokenFor('exp-trial-1')
        await assert.rejects(reportMetrics({ loss: 1 }, { step: -2 }), /step must be a non-negative integer/)
      },
      (trial, points) => {
        if (failures > 0) {
          failures--
          throw new Error('busy')
        }
        stored.push({ trial, points })
      },
    )
  } finally {
    restoreEnv(saved)
  }
})

test('reportMetrics gives up after retrying for TUNEWELL_REPORT_RETRY_SECONDS when nothing listens', async () => {
  const saved = { url: process.env[TUNEWELL_REPORT_URL], token: process.env[TUNEWELL_REPORT_TOKEN] }
  try {
    const r = await startPushReceiver(() => undefined)
    process.env[TUNEWELL_REPORT_URL] = r.urlFor('t')
    process.env[TUNEWELL_REPORT_TOKEN] = r.tokenFor('t')
    await r.close()
    process.env.TUNEWELL_REPORT_RETRY_SECONDS = '0.5'
    await assert.rejects(reportMetrics({ loss: 1 }), /could not deliver metrics to .* after \d+ attempts in 0.5 s/)
  } finally {
    delete process.env.TUNEWELL_REPORT_RETRY_SECONDS
    restoreEnv(saved)
  }
})

test('reportMetrics without the env vars throws a clear error', async () => {
  const saved = { url: process.env[TUNEWELL_REPORT_URL], token: process.env[TUNEWELL_REPORT_TOKEN] }
  try {
    delete process.env[TUNEWELL_REPORT_URL]
    delete process.env[TUNEWELL_REPORT_TOKEN]
    await assert.rejects(reportMetrics({ loss: 1 }), {
      message:
        'reportMetrics needs TUNEWELL_REPORT_URL: run this program as a Tunewell trial with metricsCollectorSpec.collector.kind: Push',
    })
    process.env[TUNEWELL_REPORT_URL] = 'http://127.0.0.1:9/trials/t/metrics'
    await assert.rejects(reportMetrics({ loss: 1 }), /needs TUNEWELL_REPORT_TOKEN/)
  } finally {
    restoreEnv(saved)
  }
})

function restoreEnv(saved: { url: string | undefined; token: string | undefined }): void {
  for (const [key, value] of [
    [TUNEWELL_REPORT_URL, saved.url],
    [TUNEWELL_REPORT_TOKEN, saved.token],
  ] as const) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
}
