import type { LaunchContext, PreparedTrial, StoredTrial, TrialExecutor, TrialRequest } from '../../controller/trial-executor.ts'

/** When one trial's slot opened, its workload was created and the executor reported its end (ms, performance.now()). */
export interface TrialTiming {
  readonly experiment: string
  readonly trial: string
  /** The slot it took: the runner's start (first wave), else an earlier trial's reported end. */
  readonly slotOpenedAt: number
  readonly firstWave: boolean
  /** prepare() called: the runner has its suggestion and its trial row; the rest is the executor's. */
  readonly preparedAt: number
  readonly createdAt: number
  endedAt?: number
}

/**
 * Wraps the executor the runners share and times what the bench reports, without touching the
 * controller: per experiment, `parallel` slots open when its runner starts and one more each
 * time a trial's `done` resolves; each start() that resolves (its workload created) takes the
 * oldest open slot.
 */
export class TimingExecutor implements TrialExecutor {
  readonly kind: string
  readonly checkpointsOnThisMachine: boolean | undefined
  readonly timings: TrialTiming[] = []
  readonly #slots = new Map<string, { at: number; firstWave: boolean }[]>()
  #live = 0
  peakLive = 0

  constructor(private readonly inner: TrialExecutor) {
    this.kind = inner.kind
    this.checkpointsOnThisMachine = inner.checkpointsOnThisMachine
  }

  /** The experiment's runner starts now with `parallel` free slots. */
  opened(experiment: string, parallel: number): void {
    const at = performance.now()
    this.#slots.set(experiment, Array.from({ length: parallel }, () => ({ at, firstWave: true })))
  }

  async prepare(request: TrialRequest): Promise<PreparedTrial> {
    const preparedAt = performance.now()
    const prepared = await this.inner.prepare(request)
    const experiment = request.experiment.metadata.name
    const slots = this.#slots.get(experiment) ?? []
    return {
      ...prepared,
      start: async (onLine) => {
        const running = await prepared.start(onLine)
        const slot = slots.shift()
        const timing: TrialTiming = { experiment, trial: request.trial.name, slotOpenedAt: slot?.at ?? Number.NaN, firstWave: slot?.firstWave ?? false, preparedAt, createdAt: performance.now() }
        this.timings.push(timing)
        this.peakLive = Math.max(this.peakLive, ++this.#live)
        void running.done.then(() => {
          timing.endedAt = performance.now()
          this.#live--
          slots.push({ at: timing.endedAt, firstWave: false })
        })
        return running
      },
    }
  }

  stopOrphan(trial: StoredTrial, context: LaunchContext): Promise<boolean> {
    return this.inner.stopOrphan(trial, context)
  }
}
