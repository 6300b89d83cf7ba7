import type { MachineDescription } from '../report/describe-machine.ts'

/** Statistics of the timed calls, in the anchor's field names. */
export interface Timing {
  readonly n: number
  readonly median_ms: number
  readonly p25_ms: number
  readonly p75_ms: number
  readonly min_ms: number
  readonly max_ms: number
}

export interface LatencyEntry {
  readonly algorithm: string
  readonly N: number
  readonly ask: Timing
  /** Longest synchronous stretch per ask (equal to `ask` for a synchronous algorithm). */
  readonly longest_block: Timing
  /** Optuna's in-memory ask median at this N from the anchor, when it measured one. */
  readonly optuna_ask_median_ms: number | null
  /** Optuna's median over ours. */
  readonly speedup_vs_optuna: number | null
  readonly checks: readonly LatencyCheck[]
}

export interface LatencyCheck {
  readonly criterion: string
  readonly pass: boolean
}

/** latency.json: the anchor's `latency` section, for our algorithms. */
export interface LatencyReport {
  readonly meta: {
    readonly date: string
    readonly command: string
    readonly machine: string
    readonly machine_detail: MachineDescription
    readonly node: string
    readonly warmups: number
    readonly reps: number
    readonly runtime_s: number
  }
  readonly latency: {
    readonly problem: 'hartmann6'
    readonly history: string
    readonly ask_definition: string
    readonly ask_protocol: string
    readonly in_memory: Readonly<Record<string, LatencyEntry>>
    readonly skipped: readonly { readonly algorithm: string; readonly reason: string }[]
    /** (algorithm, N) pairs whose asks threw; the others are still measured. */
    readonly failed: readonly { readonly algorithm: string; readonly N: number; readonly error: string }[]
  }
}
