/**
 * The experiment page's live data (ui/src/experiment-data.ts) against a scripted server: the
 * page's first full read (`trials:columns`) and a refresh can interleave so that neither sees a
 * trial (created after the columns were read, ended before the refresh listed the running ones).
 * The page must still end up with every trial the experiment has. Pure: fetch is replaced.
 */
import { afterEach, test } from 'node:test'
import assert from 'node:assert/strict'

/** The page's data, as much of it as this test reads. */
interface LiveData {
  readonly trials: { readonly value: readonly { readonly number: number; readonly state: string }[] }
  start(): void
  stop(): void
}
// Loaded by a computed path: the module is the dashboard's (DOM globals, typed by ui/tsconfig.json),
// which the server's typecheck, covering this file, does not include.
const dashboardModule = new URL('../../ui/src/experiment-data.ts', import.meta.url).href
const { ExperimentData } = await import(dashboardModule) as { ExperimentData: new (name: string) => LiveData }

interface FakeTrial { name: string; number: number; state: string }

const EXPERIMENT = 'exp'

function view(t: FakeTrial) {
  return {
    name: t.name, number: t.number, state: t.state, objective: t.state === 'Succeeded' ? t.number / 10 : null, params: { x: t.number },
    observation: { metrics: [] }, startedAt: null, finishedAt: null, message: null, reason: null,
  }
}

function columns(trials: readonly FakeTrial[]) {
  return {
    count: trials.length, namePrefix: `${EXPERIMENT}-`, suffix: trials.map((t) => t.name.slice(EXPERIMENT.length + 1)),
    number: trials.map((t) => t.number), states: ['Succeeded', 'Running'], state: trials.map((t) => (t.state === 'Succeeded' ? 0 : 1)),
    objective: trials.map((t) => (t.state === 'Succeeded' ? t.number / 10 : null)), params: { x: trials.map((t) => t.number) }, metrics: {},
    startedAt: trials.map(() => null), finishedAt: trials.map(() => null), message: trials.map(() => null),
  }
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
const realFetch = globalThis.fetch
afterEach(() => {
  globalThis.fetch = realFetch
})

test('a trial that neither the first full read nor the refresh beside it saw is still loaded', async () => {
  const trial = (number: number, state: string): FakeTrial => ({ name: `${EXPERIMENT}-${String(number).padStart(4, '0')}`, number, state })
  // What the server holds by the time the refreshes read: 0-5 done, 6 and 7 running.
  const now: FakeTrial[] = [0, 1, 2, 3, 4, 5].map((n) => trial(n, 'Succeeded')).concat([trial(6, 'Running'), trial(7, 'Running')])
  // The columns were read earlier, when only 0-4 existed; their answer arrives after a refresh ran.
  let releaseColumns!: () => void
  const columnsHeld = new Promise<void>((resolve) => { releaseColumns = resolve })
  let refreshes = 0
  globalThis.fetch = (async (input: string | URL | Request) => {
    const url = new URL(String(input), 'http://page.test')
    const path = decodeURIComponent(url.pathname)
    // A server without the event stream: the page polls.
    if (path.endsWith('/events')) return json({ error: { code: 'ROUTE_NOT_FOUND', message: 'no stream' } }, 404)
    if (path.endsWith('/trials:columns')) {
      await columnsHeld
      return json(columns(now.filter((t) => t.number <= 4)))
    }
    if (path === `/api/v1/experiments/${EXPERIMENT}`) {
      return json({ metadata: { name: EXPERIMENT }, spec: {}, status: { state: 'Running', trials: now.length, trialsSucceeded: 6, currentOptimalTrial: {} } })
    }
    if (path === `/api/v1/experiments/${EXPERIMENT}/trials`) {
      const states = url.searchParams.get('state')
      if (states) {
        refreshes += 1
        const wanted = states.split(',')
        return json({ items: now.filter((t) => wanted.includes(t.state)).map(view), nextCursor: null })
      }
      return json({ items: [...now].sort((a, b) => b.number - a.number).map(view), nextCursor: null })
    }
    const one = now.find((t) => path === `/api/v1/experiments/${EXPERIMENT}/trials/${t.name}`)
    if (one) return json(view(one))
    return json({ error: { code: 'NOT_FOUND', message: path } }, 404)
  }) as typeof fetch

  const data = new ExperimentData(EXPERIMENT)
  data.start()
  try {
    // The polling refresh (no event stream here) lists the running trials before the columns come.
    const deadline = Date.now() + 20_000
    while (refreshes === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.ok(refreshes > 0, 'the page never refreshed')
    releaseColumns()
    while (data.trials.value.length < now.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.deepEqual(data.trials.value.map((t) => t.number), [0, 1, 2, 3, 4, 5, 6, 7])
    assert.equal(data.trials.value.find((t) => t.number === 5)?.state, 'Succeeded')
  } finally {
    data.stop()
  }
})
