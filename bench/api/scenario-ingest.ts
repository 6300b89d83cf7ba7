import autocannon from 'autocannon'
import { apiRequest } from '../../api/client/api-request.ts'
import type { ScenarioContext, TargetCheck } from './api-scenario.ts'
import { createBenchExperiment, experimentId } from './create-bench-experiment.ts'

export interface IngestResult {
  readonly clients: number
  readonly batch_points: number
  readonly duration_s: number
  readonly requests: number
  readonly failed_requests: number
  /** Points the server acknowledged (sum of `accepted`). */
  readonly acknowledged: number
  /** Points counted back in the observations table afterwards. */
  readonly stored: number
  readonly points_per_s: number
  readonly request_latency: { readonly median_ms: number; readonly p99_ms: number }
  /** The first refused request's status and answer, to tell why. */
  readonly first_failure?: string
  readonly checks: TargetCheck[]
}

const METRICS = ['loss', 'accuracy'] as const

/**
 * Sustained batch push: each client owns one running trial (asked through the API) and posts
 * batches of points with fresh steps, so every point is a new row; afterwards the rows are
 * counted back. A point acknowledged but not stored is a loss.
 */
export async function benchIngest(ctx: ScenarioContext, batchPoints: number): Promise<IngestResult> {
  const name = 'bench-ingest'
  await createBenchExperiment(ctx.url, name, ctx.connections)
  const id = await experimentId(ctx.url, name)
  const trials: string[] = []
  for (let i = 0; i < ctx.connections; i++) {
    const trial = await apiRequest<{ name: string }>({ server: ctx.url }, { method: 'POST', path: `/api/v1/experiments/${name}/trials:ask`, body: {} })
    trials.push(trial.name)
  }
  let nextTrial = 0
  const nextStep = new Map<string, number>()
  let acknowledged = 0
  let failed = 0
  let firstFailure: string | undefined
  const stepsPerBatch = Math.ceil(batchPoints / METRICS.length)
  ctx.onProgress(`ingest: ${ctx.connections} clients, ${batchPoints} points per request, ${ctx.durationS} s`)
  const t0 = performance.now()
  const result = await autocannon({
    url: ctx.url,
    connections: ctx.connections,
    duration: ctx.durationS,
    timeout: 30,
    requests: [{
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // autocannon resets a connection's context after each pass through `requests`, so the
      // next free step of each trial is kept here: every request gets fresh steps.
      setupRequest: (request) => {
        const trial = trials[nextTrial++ % trials.length]!
        const first = nextStep.get(trial) ?? 0
        nextStep.set(trial, first + stepsPerBatch)
        const points = []
        for (let s = first; s < first + stepsPerBatch; s++) {
          for (const metric of METRICS) points.push({ metric, step: s, value: 1 / (1 + s) })
        }
        return { ...request, path: `/api/v1/experiments/${name}/trials/${trial}/observations`, body: JSON.stringify({ points }) }
      },
      onResponse: (status, body) => {
        if (status >= 200 && status < 300) acknowledged += (JSON.parse(body) as { accepted: number }).accepted
        else {
          failed++
          firstFailure ??= `${status} ${body.slice(0, 300)}`
        }
      },
    }],
  })
  const seconds = (performance.now() - t0) / 1000
  const { rows } = await ctx.pool.query<{ n: string }>('select count(*) as n from observations where experiment_id = $1', [id])
  const stored = Number(rows[0]!.n)
  const pointsPerS = Math.round(stored / seconds)
  return {
    clients: ctx.connections,
    batch_points: stepsPerBatch * METRICS.length,
    duration_s: Math.round(seconds * 100) / 100,
    requests: result.requests.total,
    failed_requests: failed + result.errors,
    acknowledged,
    stored,
    points_per_s: pointsPerS,
    request_latency: { median_ms: result.latency.p50, p99_ms: result.latency.p99 },
    ...(firstFailure !== undefined ? { first_failure: firstFailure } : {}),
    checks: [
      { target: '≥ 50,000 points/s sustained', measured: `${pointsPerS.toLocaleString('en')} points/s`, pass: pointsPerS >= 50_000 },
      // A request cut off when the clock ran out may have been stored without its answer being read.
      { target: 'nothing lost: every acknowledged point stored', measured: `${acknowledged} acknowledged, ${stored} stored`, pass: stored >= acknowledged && failed + result.errors === 0 },
    ],
  }
}
