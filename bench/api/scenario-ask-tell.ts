import { randomUUID } from 'node:crypto'
import autocannon from 'autocannon'
import type { LatencySummary, ScenarioContext, TargetCheck } from './api-scenario.ts'
import { createBenchExperiment, experimentId } from './create-bench-experiment.ts'
import { seedTrials } from './seed-trials.ts'
import { summarizeLatencies } from './summarize-latencies.ts'

export interface AskTellResult {
  readonly history: number
  readonly clients: number
  readonly duration_s: number
  readonly cycles_per_s: number
  /** From sending the ask to reading the tell's answer: one client alone, then every client under load. */
  readonly single_client_latency: LatencySummary
  readonly loaded_latency: LatencySummary
  readonly cycles: number
  readonly failed_requests: number
  /** The first refused request's status and answer, to tell why. */
  readonly first_failure?: string
  /** Trials finished during the run, counted back: the cycles plus at most the tells still in flight when a phase stopped. */
  readonly trials_told: number
  /** Tells sent but not answered when a phase stopped (at most one per client). */
  readonly tells_in_flight: number
  readonly checks: TargetCheck[]
}

/**
 * ask/tell cycles with random search on an experiment that already holds `history` finished
 * trials: each client asks (with an idempotency key, as a careful worker does), then tells a
 * value for the trial it got, and repeats. Every cycle must leave exactly one finished trial.
 */
export async function benchAskTell(ctx: ScenarioContext, history: number): Promise<AskTellResult> {
  const name = 'bench-ask-tell'
  // Room for one more than the clients: the single-client phase may end between an ask and its
  // tell, leaving a trial Running that would otherwise hold one client's slot for good.
  await createBenchExperiment(ctx.url, name, ctx.connections + 1)
  const id = await experimentId(ctx.url, name)
  ctx.onProgress(`ask-tell: seeding ${history} trials`)
  await seedTrials(ctx.pool, id, name, history)
  const base = `/api/v1/experiments/${name}/trials`
  ctx.onProgress(`ask-tell: 1 client for ${Math.min(5, ctx.durationS)} s (latency)`)
  const alone = await askTellLoad(ctx.url, base, 1, Math.min(5, ctx.durationS))
  ctx.onProgress(`ask-tell: ${ctx.connections} clients for ${ctx.durationS} s (throughput)`)
  const loaded = await askTellLoad(ctx.url, base, ctx.connections, ctx.durationS)
  const { rows } = await ctx.pool.query<{ n: string }>(
    `select count(*) as n from trials where experiment_id = $1 and state = 'Succeeded' and number >= $2`,
    [id, history],
  )
  const told = Number(rows[0]!.n)
  const cycles = alone.latencies.length + loaded.latencies.length
  const failed = alone.failed + loaded.failed
  const inFlight = alone.tellsInFlight + loaded.tellsInFlight
  const firstFailure = alone.firstFailure ?? loaded.firstFailure
  const cyclesPerS = Math.round(loaded.latencies.length / loaded.seconds)
  const single = summarizeLatencies(alone.latencies)
  const underLoad = summarizeLatencies(loaded.latencies)
  return {
    history,
    clients: ctx.connections,
    duration_s: Math.round(loaded.seconds * 100) / 100,
    cycles_per_s: cyclesPerS,
    single_client_latency: single,
    loaded_latency: underLoad,
    cycles,
    failed_requests: failed,
    ...(firstFailure !== undefined ? { first_failure: firstFailure } : {}),
    trials_told: told,
    tells_in_flight: inFlight,
    checks: [
      { target: `≥ 1,000 ask+tell cycles/s (${ctx.connections} clients)`, measured: `${cyclesPerS.toLocaleString('en')} cycles/s, p99 ${underLoad.p99_ms} ms`, pass: cyclesPerS >= 1000 },
      { target: 'ask+tell median < 5 ms, one client (Optuna RDB: ~50 ms)', measured: `${single.median_ms} ms (p99 ${single.p99_ms} ms)`, pass: single.median_ms < 5 },
      // autocannon stops with requests in flight and drops their answers, but a tell it sent may
      // still finish its trial on the server. Counting the sent, unanswered tells (rather than
      // allowing `connections` of slack) keeps the check exact: a lost or doubled trial still fails it.
      {
        target: 'one finished trial per cycle, no failures',
        measured: `${told} trials told, ${cycles} cycles + ${inFlight} tells in flight at the stop, ${failed} failed requests`,
        pass: told >= cycles && told <= cycles + inFlight && failed === 0,
      },
    ],
  }
}

interface LoadOutcome {
  readonly latencies: number[]
  readonly failed: number
  readonly firstFailure?: string
  /** Tells sent whose answer never came (autocannon stopped first). */
  readonly tellsInFlight: number
  readonly seconds: number
}

async function askTellLoad(url: string, base: string, connections: number, durationS: number): Promise<LoadOutcome> {
  const latencies: number[] = []
  let failed = 0
  let firstFailure: string | undefined
  let tellsSent = 0
  let tellsAnswered = 0
  const refused = (status: number, body: string) => {
    failed++
    firstFailure ??= `${status} ${body.slice(0, 300)}`
  }
  const t0 = performance.now()
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: `${base}:ask`,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request, context) => {
          context.started = performance.now()
          context.trial = undefined
          return { ...request, body: JSON.stringify({ idempotencyKey: randomUUID() }) }
        },
        onResponse: (status, body, context) => {
          if (status >= 200 && status < 300) context.trial = (JSON.parse(body) as { name: string }).name
          else refused(status, body)
        },
      },
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // No trial from the ask: start the pipeline over with a new ask.
        setupRequest: (request, context) => {
          if (context.trial === undefined) return null
          tellsSent++
          return { ...request, path: `${base}/${context.trial as string}:tell`, body: JSON.stringify({ value: Math.random() }) }
        },
        onResponse: (status, body, context) => {
          tellsAnswered++
          if (status >= 200 && status < 300) latencies.push(performance.now() - (context.started as number))
          else refused(status, body)
        },
      },
    ],
  })
  return {
    latencies, failed: failed + result.errors, ...(firstFailure !== undefined ? { firstFailure } : {}),
    tellsInFlight: tellsSent - tellsAnswered, seconds: (performance.now() - t0) / 1000,
  }
}
