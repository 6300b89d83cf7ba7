import type pg from 'pg'
import type { Store } from '../../db/store.ts'

/** What every scenario of bench:api gets: a listening server on a private schema. */
export interface ScenarioContext {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  readonly store: Store
  readonly pool: pg.Pool
  /** Seconds each load phase runs. */
  readonly durationS: number
  /** Concurrent clients of the load phases. */
  readonly connections: number
  readonly onProgress: (line: string) => void
}

export interface TargetCheck {
  readonly target: string
  readonly measured: string
  readonly pass: boolean
}

/** Milliseconds: median and tails of a latency sample. */
export interface LatencySummary {
  readonly n: number
  readonly median_ms: number
  readonly p25_ms: number
  readonly p75_ms: number
  readonly p99_ms: number
  readonly max_ms: number
}
