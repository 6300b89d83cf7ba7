import autocannon from 'autocannon'
import type { LatencySummary, ScenarioContext, TargetCheck } from './api-scenario.ts'
import { createBenchExperiment, experimentId } from './create-bench-experiment.ts'
import { seedTrials } from './seed-trials.ts'
import { summarizeLatencies } from './summarize-latencies.ts'

export interface TrialListResult {
  readonly trials: number
  readonly first_page_by_objective: LatencySummary
  readonly first_page_by_number: LatencySummary
  /** Every page of a full walk by objective, 1000 per page. */
  readonly walk_page_by_objective: LatencySummary
  readonly walk_items: number
  /** Concurrent first pages by objective. */
  readonly throughput_rps: number
  readonly checks: TargetCheck[]
}

const TIMED = 60

/**
 * "Trial list of a 100k-trial experiment, first page sorted by objective: under 50 ms", over
 * real HTTP, sequential requests on a kept-alive connection; then a full keyset walk (every
 * page must cost the same) and the same first page under concurrent load.
 */
export async function benchTrialList(ctx: ScenarioContext, trialCount: number): Promise<TrialListResult> {
  const name = 'bench-trial-list'
  await createBenchExperiment(ctx.url, name, 1)
  const id = await experimentId(ctx.url, name)
  ctx.onProgress(`trial-list: seeding ${trialCount} trials`)
  await seedTrials(ctx.pool, id, name, trialCount)
  const base = `${ctx.url}/api/v1/experiments/${name}/trials`

  const time = async (url: string): Promise<{ ms: number; body: { items: unknown[]; nextCursor: string | null } }> => {
    const t0 = performance.now()
    const response = await fetch(url)
    const body = (await response.json()) as { items: unknown[]; nextCursor: string | null }
    const ms = performance.now() - t0
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${JSON.stringify(body)}`)
    return { ms, body }
  }
  const sample = async (url: string): Promise<number[]> => {
    for (let i = 0; i < 5; i++) await time(url)
    const out: number[] = []
    for (let i = 0; i < TIMED; i++) out.push((await time(url)).ms)
    return out
  }
  ctx.onProgress('trial-list: first pages')
  const byObjective = await sample(`${base}?sort=objective&limit=100`)
  const byNumber = await sample(`${base}?sort=number&limit=100`)

  ctx.onProgress('trial-list: full walk by objective')
  const walk: number[] = []
  let items = 0
  let cursor: string | null = null
  do {
    const page: Awaited<ReturnType<typeof time>> = await time(`${base}?sort=objective&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    walk.push(page.ms)
    items += page.body.items.length
    cursor = page.body.nextCursor
  } while (cursor !== null)

  ctx.onProgress(`trial-list: ${ctx.connections} concurrent clients for ${ctx.durationS} s`)
  const load = await autocannon({ url: `${base}?sort=objective&limit=100`, connections: ctx.connections, duration: ctx.durationS })
  if (load.errors + load.non2xx > 0) throw new Error(`trial-list under load: ${load.errors} errors, ${load.non2xx} non-2xx answers`)

  const first = summarizeLatencies(byObjective)
  return {
    trials: trialCount,
    first_page_by_objective: first,
    first_page_by_number: summarizeLatencies(byNumber),
    walk_page_by_objective: summarizeLatencies(walk),
    walk_items: items,
    throughput_rps: Math.round(load.requests.total / load.duration),
    checks: [
      { target: `first page by objective of ${trialCount} trials < 50 ms (median)`, measured: `${first.median_ms} ms`, pass: first.median_ms < 50 },
      { target: 'the walk returns every trial once', measured: `${items} of ${trialCount}`, pass: items === trialCount },
    ],
  }
}
