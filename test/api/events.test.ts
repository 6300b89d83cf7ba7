import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { EventHub } from '../../api/events/event-hub.ts'
import type { EventData } from '../../api/events/sse-message.ts'
import type { ExperimentRecord, FeedEvent, NewEvent, Store } from '../../db/store.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

// Safety net only: a broken stream would otherwise wait forever. No assertion depends on time.
const T = { timeout: 60_000 }

interface SseEvent {
  readonly id: string | undefined
  readonly event: string | undefined
  readonly data: string
}

/** An open stream: its events as they arrive, parsed like EventSource does. */
interface Stream {
  readonly events: SseEvent[]
  readonly comments: string[]
  /** Resolves once `ok(events)` holds. */
  until(ok: (events: readonly SseEvent[]) => boolean): Promise<void>
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>
  close(): void
}

async function openStream(base: string, path: string, headers: Record<string, string> = {}): Promise<Stream> {
  const abort = new AbortController()
  const response = await fetch(`${base}${path}`, { headers, signal: abort.signal })
  assert.equal(response.status, 200, await (response.status === 200 ? Promise.resolve('') : response.text()))
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/)
  const events: SseEvent[] = []
  const comments: string[] = []
  const waiters: { ok: (events: readonly SseEvent[]) => boolean; resolve: () => void }[] = []
  const decoder = new TextDecoder()
  let buffer = ''
  const ended = (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields = new Map<string, string>()
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim())
            else if (line.includes(': ')) fields.set(line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2))
          }
          if (fields.has('data')) events.push({ id: fields.get('id'), event: fields.get('event'), data: fields.get('data')! })
        }
        for (const w of waiters.splice(0)) {
          if (w.ok(events)) w.resolve()
          else waiters.push(w)
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error
    }
  })()
  return {
    events,
    comments,
    ended,
    until: (ok) => (ok(events) ? Promise.resolve() : new Promise((resolve) => waiters.push({ ok, resolve }))),
    close: () => abort.abort(),
  }
}

const dataOf = (e: SseEvent) => JSON.parse(e.data) as EventData
const of = (experiment: string) => (events: readonly SseEvent[]) => events.filter((e) => e.id !== undefined && dataOf(e).experiment === experiment)

let t: TestApp
let base: string
before(async () => {
  t = await openTestApp()
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
})
after(async () => {
  await t?.close()
})

async function newExperiment(app: TestApp = t): Promise<ExperimentRecord> {
  const name = uniqueName('sse')
  assert.equal((await postYaml(app.app, experimentYaml(name, { template: false }))).statusCode, 201)
  return (await app.store.experiments.getByName(name))!
}

/** Events of made-up types (`test:*`, not core/events.ts's): the stream carries whatever the table holds, so tests can tell theirs apart. */
async function append(e: ExperimentRecord, count: number, type = 'test:tick', trialId?: string): Promise<void> {
  for (let i = 0; i < count; i++) await t.store.events.append({ experimentId: e.id, trialId: trialId ?? null, type, payload: { i } } as unknown as NewEvent)
}

async function clients(app: TestApp = t): Promise<number> {
  const text = (await app.app.inject({ method: 'GET', url: '/metrics' })).body
  return Number(/^tunewell_event_stream_clients (\d+)$/m.exec(text)?.[1])
}

async function untilClients(n: number, app: TestApp = t): Promise<void> {
  while ((await clients(app)) !== n) await new Promise((resolve) => setTimeout(resolve, 20))
}

describe('GET /api/v1/events and /api/v1/experiments/{name}/events', () => {
  test('events arrive live, in id order, with type, names, payload and time', T, async () => {
    const stream = await openStream(base, '/api/v1/events')
    const e = await newExperiment()
    const [trial] = await t.store.trials.createMany(e.id, [{ name: `${e.name}-t0`, params: { lr: 0.05, optimizer: 'sgd' } }])
    await append(e, 10, 'trial:state-changed', trial!.id)
    await stream.until((events) => of(e.name)(events).length >= 11)
    const mine = of(e.name)(stream.events)
    const stored = await t.store.events.list(e.id)
    assert.deepEqual(mine.map((x) => Number(x.id)), stored.map((s) => s.id), 'every event once, in id order')
    assert.deepEqual(mine.map((x) => x.event), ['experiment:created', ...Array(10).fill('trial:state-changed')])
    const last = dataOf(mine.at(-1)!)
    assert.equal(last.experiment, e.name)
    assert.equal(last.trial, trial!.name)
    assert.deepEqual(last.payload, { i: 9 })
    assert.equal(last.at, stored.at(-1)!.at.toISOString())
    assert.equal(last.id, stored.at(-1)!.id)
    assert.equal(dataOf(mine[0]!).trial, null)
    assert.equal(stream.comments[0], 'connected')
    stream.close()
  })

  test('Last-Event-ID (header or ?lastEventId=) replays what was missed, then goes live: nothing lost, nothing twice', T, async () => {
    const e = await newExperiment()
    const path = `/api/v1/experiments/${e.name}/events`
    // Without Last-Event-ID a stream may include what was written just before it opened; from the creation on, it is exact.
    const [created] = await t.store.events.list(e.id)
    const first = await openStream(base, path, { 'last-event-id': String(created!.id) })
    await append(e, 5)
    await first.until((events) => events.length >= 5)
    first.close()
    const seen = first.events.slice(0, 5)
    assert.deepEqual(seen.map((x) => dataOf(x).payload), [0, 1, 2, 3, 4].map((i) => ({ i })))
    await append(e, 5, 'test:while-away')
    const resumed = await openStream(base, path, { 'last-event-id': seen.at(-1)!.id! })
    await append(e, 3, 'test:after')
    await resumed.until((events) => events.length >= 8)
    const all = [...seen, ...resumed.events]
    const stored = (await t.store.events.list(e.id)).filter((s) => s.type !== 'experiment:created')
    assert.deepEqual(all.map((x) => Number(x.id)), stored.map((s) => s.id), 'exactly the stored events, in order')
    assert.deepEqual(resumed.events.map((x) => x.event), [...Array(5).fill('test:while-away'), ...Array(3).fill('test:after')])

    const byQuery = await openStream(base, `${path}?lastEventId=${seen[2]!.id}`)
    await byQuery.until((events) => events.length >= 10)
    assert.deepEqual(byQuery.events.map((x) => Number(x.id)), stored.slice(3).map((s) => s.id))
    resumed.close()
    byQuery.close()
  })

  test('the global stream sees every experiment; an experiment\'s stream only its own', T, async () => {
    const a = await newExperiment()
    const b = await newExperiment()
    const global = await openStream(base, '/api/v1/events')
    const onlyA = await openStream(base, `/api/v1/experiments/${a.name}/events`)
    for (let i = 0; i < 4; i++) {
      await append(a, 1)
      await append(b, 1)
    }
    const ticks = (name: string) => (events: readonly SseEvent[]) => of(name)(events).filter((x) => x.event === 'test:tick').length
    await global.until((events) => ticks(a.name)(events) >= 4 && ticks(b.name)(events) >= 4)
    const both = global.events.filter((x) => x.event === 'test:tick' && [a.name, b.name].includes(dataOf(x).experiment))
    assert.deepEqual(both.map((x) => dataOf(x).experiment), [a.name, b.name, a.name, b.name, a.name, b.name, a.name, b.name])
    await append(a, 1, 'test:last')
    await onlyA.until((events) => events.some((x) => x.event === 'test:last'))
    assert.ok(onlyA.events.every((x) => dataOf(x).experiment === a.name))
    assert.equal(onlyA.events.filter((x) => x.event?.startsWith('test:')).length, 5)
    global.close()
    onlyA.close()
  })

  test('a client that disconnects frees its subscription', T, async () => {
    await untilClients(0)
    const one = await openStream(base, '/api/v1/events')
    const two = await openStream(base, '/api/v1/events')
    assert.equal(await clients(), 2)
    one.close()
    await untilClients(1)
    two.close()
    await untilClients(0)
  })

  test('more missed than the replay holds: a replay-truncated notice, then the newest 1000', T, async () => {
    const e = await newExperiment()
    const [created] = await t.store.events.list(e.id)
    await append(e, 1004)
    const stream = await openStream(base, `/api/v1/experiments/${e.name}/events`, { 'last-event-id': String(created!.id) })
    await stream.until((events) => events.length >= 1001)
    const stored = await t.store.events.list(e.id)
    const [notice, ...replayed] = stream.events
    assert.equal(notice!.event, 'replay-truncated')
    assert.equal(notice!.id, undefined, 'no id: it does not move the client\'s Last-Event-ID')
    assert.deepEqual(JSON.parse(notice!.data), { lastEventId: created!.id, resumedAfter: stored.at(-1001)!.id })
    assert.deepEqual(replayed.map((x) => Number(x.id)), stored.slice(-1000).map((s) => s.id))
    stream.close()
  })

  test('bad requests answer before any stream opens', T, async () => {
    assert.equal((await fetch(`${base}/api/v1/experiments/nope-nope/events`)).status, 404)
    assert.equal((await fetch(`${base}/api/v1/events`, { headers: { 'last-event-id': 'abc' } })).status, 400)
    assert.equal((await fetch(`${base}/api/v1/events?lastEventId=-1`)).status, 400)
  })
})

describe('shutdown and authentication', () => {
  test('app.close() ends open streams instead of waiting for them', T, async () => {
    const own = await openTestApp()
    try {
      await own.app.listen({ host: '127.0.0.1', port: 0 })
      const url = `http://127.0.0.1:${(own.app.server.address() as AddressInfo).port}`
      const global = await openStream(url, '/api/v1/events')
      const e = await newExperiment(own)
      const mine = await openStream(url, `/api/v1/experiments/${e.name}/events`)
      await own.app.close()
      await Promise.all([global.ended, mine.ended])
    } finally {
      await own.close()
    }
  })

  test('with tokens: ?token= works on the event routes only', T, async () => {
    const own = await openTestApp({ tokens: [{ token: 'reader-token', role: 'read' }] })
    try {
      await own.app.listen({ host: '127.0.0.1', port: 0 })
      const url = `http://127.0.0.1:${(own.app.server.address() as AddressInfo).port}`
      assert.equal((await fetch(`${url}/api/v1/events`)).status, 401)
      assert.equal((await fetch(`${url}/api/v1/events?token=wrong`)).status, 401)
      assert.equal((await fetch(`${url}/api/v1/experiments?token=reader-token`)).status, 401)
      const byQuery = await openStream(url, '/api/v1/events?token=reader-token')
      const byHeader = await openStream(url, '/api/v1/events', { authorization: 'Bearer reader-token' })
      byQuery.close()
      byHeader.close()
    } finally {
      await own.close()
    }
  })
})

describe('EventHub', () => {
  /** A store whose events table is whatever the test says it is right now. */
  function fakeStore(table: FeedEvent[]): Store {
    const events = {
      latestId: async () => 0,
      feed: async (q: { afterId: number; limit: number }) => table.filter((e) => e.id > q.afterId).sort((x, y) => x.id - y.id).slice(0, q.limit),
    }
    return { events } as unknown as Store
  }
  const event = (id: number): FeedEvent => ({ id, experimentId: 'x', experimentName: 'x', trialId: null, trialName: null, type: 'experiment:new-best', payload: { objective: id }, at: new Date(0) })

  test('holds events behind a gap in ids until the gap fills, so a late commit is not skipped', T, async () => {
    const table = [event(1), event(3)]
    const hub = new EventHub({ store: fakeStore(table), pollMs: 5, gapGraceMs: 3_600_000 })
    const got: number[] = []
    let polls = 0
    const sink = { write: (text: string) => (got.push(...[...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))), true), end: () => {} }
    await hub.subscribe(sink)
    while (got.length < 1) await new Promise((resolve) => setTimeout(resolve, 5))
    // Event 3 is there but 2 is not committed yet: however many polls pass, 3 waits.
    while (polls++ < 10) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.deepEqual(got, [1])
    table.push(event(2))
    while (got.length < 3) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.deepEqual(got, [1, 2, 3])
    await hub.close()
  })

  test('a gap that never fills (a rolled-back insert) is passed once its grace is over', T, async () => {
    const hub = new EventHub({ store: fakeStore([event(1), event(3), event(4)]), pollMs: 5, gapGraceMs: 0 })
    const got: number[] = []
    await hub.subscribe({ write: (text) => (got.push(...[...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))), true), end: () => {} })
    while (got.length < 3) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.deepEqual(got, [1, 3, 4])
    await hub.close()
  })
})
