import type { MetricPoint } from '../core/metric.ts'
import type { Experiment } from '../core/spec/index.ts'
import { metricNames } from '../core/spec/index.ts'
import type { IntermediateValue } from '../core/trial.ts'
import type { ObservationStore } from '../db/store.ts'
import { createMetricsParser, FileMetricsSource, MetricWriter } from '../metrics-collector/index.ts'
import type { TrialMetricsFile } from './metrics-file.ts'
import type { CollectionDiagnostics } from '../lifecycle/trial-outcome.ts'

/** The collector kinds a local trial supports; the others need a cluster. */
export const LOCAL_COLLECTOR_KINDS = ['StdOut', 'File', 'Push'] as const

/**
 * Wires one trial's metric sources (its output lines, a metrics file, pushed reports) into the
 * observation store. Points are keyed by (metric, step), so re-reading a log after a restart
 * rewrites the same rows instead of adding new ones.
 */
export class TrialCollector {
  readonly #writer: MetricWriter
  readonly #kind: string
  readonly #parser: ReturnType<typeof createMetricsParser>
  readonly #file: FileMetricsSource | undefined
  readonly #finite = new Set<string>()
  readonly #nonFinite = new Set<string>()
  #timer: NodeJS.Timeout | undefined
  readonly #objective: string
  /** The objective metric by step, as seen here (written or not); kept only with `onObjective`. */
  readonly #curve = new Map<number, number>()
  readonly #onObjective: ((curve: IntermediateValue[]) => void) | undefined
  #frozen = false
  #fileFinished = false

  /**
   * `onObjective` is called after points of the objective metric arrive, with its whole curve so
   * far (ascending steps), for the early-stopping rule.
   */
  constructor(
    experiment: Experiment,
    store: Pick<ObservationStore, 'append'>,
    trialId: string,
    metricsFile?: TrialMetricsFile,
    onObjective?: (curve: IntermediateValue[]) => void,
  ) {
    this.#objective = experiment.spec.objective.objectiveMetricName
    this.#onObjective = onObjective
    const collector = experiment.spec.metricsCollectorSpec
    this.#kind = collector?.collector?.kind ?? 'StdOut'
    const source = collector?.source
    this.#writer = new MetricWriter(store, trialId)
    this.#parser = createMetricsParser({
      format: this.#kind === 'File' ? (source?.fileSystemPath?.format ?? 'TEXT') : 'TEXT',
      metricNames: metricNames(experiment),
      ...(source?.filter?.metricsFormat?.length ? { filters: source.filter.metricsFormat } : {}),
    })
    if (this.#kind === 'File' && metricsFile) {
      // A file outside the trial's folder is never cleared: what it held before this launch is not this trial's.
      this.#file = new FileMetricsSource(metricsFile.path, this.#parser, { skipExisting: !metricsFile.inTrialDir })
      this.#timer = setInterval(() => void this.#pollFile(), 1000)
      this.#timer.unref()
    }
  }

  get kind(): string {
    return this.#kind
  }

  /** A line of the trial's combined stdout/stderr. */
  onLine(line: string): void {
    if (this.#kind === 'StdOut') this.#add(this.#parser.feed(line))
  }

  /**
   * Points a trial reported itself through the push receiver; resolves once they are stored, so
   * that a push is acknowledged only then (a controller killed right after cannot lose them:
   * the client, told nothing, sends them again, to the next controller). Rejects when they
   * could not be written yet (they stay pending here too).
   */
  onPush(points: readonly MetricPoint[]): Promise<void> {
    this.#add(points)
    return this.#frozen || points.length === 0 ? Promise.resolve() : this.#writer.flush()
  }

  /**
   * Reads what is left, writes everything, and says what went wrong with the metrics. May be
   * called again after it failed (the database was away): the source is read once, and what is
   * still unwritten is written.
   */
  async finish(): Promise<CollectionDiagnostics> {
    clearInterval(this.#timer)
    if (this.#file && !this.#fileFinished) {
      this.#add(await this.#file.finish())
      this.#fileFinished = true
    }
    await this.#writer.close()
    return {
      garbageCount: this.#parser.garbageCount,
      ...(this.#parser.garbageExample !== undefined ? { garbageExample: this.#parser.garbageExample } : {}),
      nonFiniteOnly: [...this.#nonFinite].filter((name) => !this.#finite.has(name)),
    }
  }

  /** Stops without writing more (the controller is going down; the trial will be relaunched). */
  abandon(): void {
    clearInterval(this.#timer)
  }

  /**
   * Takes no more points and writes those it has: the trial was early stopped at what it
   * reported so far, and what it prints while dying must not change the stored result.
   */
  async freeze(): Promise<void> {
    this.#frozen = true
    clearInterval(this.#timer)
    await this.#writer.flush()
  }

  async #pollFile(): Promise<void> {
    try {
      this.#add(await this.#file!.poll())
    } catch {
      // A half-written file is read again at the next poll and at finish().
    }
  }

  #add(points: readonly MetricPoint[]): void {
    if (points.length === 0 || this.#frozen) return
    for (const p of points) (Number.isFinite(p.value) ? this.#finite : this.#nonFinite).add(p.name)
    this.#writer.add([...points])
    if (!this.#onObjective || !points.some((p) => p.name === this.#objective)) return
    for (const p of points) if (p.name === this.#objective) this.#curve.set(p.step, p.value)
    this.#onObjective([...this.#curve].sort(([a], [b]) => a - b).map(([step, value]) => ({ step, value })))
  }
}
