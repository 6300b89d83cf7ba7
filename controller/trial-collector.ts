import type { MetricPoint } from '../core/metric.ts'
import type { Experiment } from '../core/spec/index.ts'
import { metricNames } from '../core/spec/index.ts'
import type { IntermediateValue } from '../core/trial.ts'
import type { ObservationStore } from '../db/store.ts'
import { createMetricsParser, FileMetricsSource, MetricWriter } from '../metrics-collector/index.ts'
import type { PointSource } from '../metrics-collector/metrics-forwarder.ts'
import { PrometheusScrapeSource } from '../metrics-collector/prometheus-scrape-source.ts'
import { TfEventDirectorySource } from '../metrics-collector/tfevent-directory-source.ts'
import { CustomCollectorProcess } from './custom-collector-process.ts'
import type { LocalCollectorPlan } from './local-collector-plan.ts'
import type { TrialMetricsFile } from './metrics-file.ts'
import type { CollectionDiagnostics } from '../lifecycle/trial-outcome.ts'

/** The collector kinds a local trial supports (docs/collectors.md); all of Katib's. */
export const LOCAL_COLLECTOR_KINDS = ['StdOut', 'File', 'TensorFlowEvent', 'PrometheusMetric', 'Custom', 'Push'] as const

/** How often a metrics file or an event folder is read while the trial runs. */
const FILE_POLL_MS = 1000

/**
 * Wires one trial's metric sources into the observation store: its output lines (StdOut), a
 * metrics file (File), a folder of TensorFlow event files (TensorFlowEvent), its Prometheus
 * endpoint (PrometheusMetric), the lines a Custom collector prints, pushed reports (Push).
 * Points are keyed by (metric, step), so re-reading a log after a restart rewrites the same rows
 * instead of adding new ones.
 */
export class TrialCollector {
  readonly #writer: MetricWriter
  readonly #kind: string
  readonly #parser: ReturnType<typeof createMetricsParser>
  /** What is read while the trial runs, every #pollMs, and once more at its end. */
  readonly #source: PointSource | undefined
  readonly #pollMs: number
  readonly #scrape: PrometheusScrapeSource | undefined
  readonly #custom: CustomCollectorProcess | undefined
  readonly #names: readonly string[]
  readonly #notes: string[] = []
  readonly #finite = new Set<string>()
  readonly #nonFinite = new Set<string>()
  #timer: NodeJS.Timeout | undefined
  #stopped = false
  readonly #objective: string
  /** The objective metric by step, as seen here (written or not); kept only with `onObjective`. */
  readonly #curve = new Map<number, number>()
  readonly #onObjective: ((curve: IntermediateValue[]) => void) | undefined
  #frozen = false
  #sourceFinished = false

  /**
   * `onObjective` is called after points of the objective metric arrive, with its whole curve so
   * far (ascending steps), for the early-stopping rule. `metricsFile` and `local` say where a
   * local trial's File, TensorFlowEvent, PrometheusMetric and Custom collectors read; without
   * them (a trial on a cluster) those kinds arrive as pushes from the collector beside it.
   */
  constructor(
    experiment: Experiment,
    store: Pick<ObservationStore, 'append'>,
    trialId: string,
    metricsFile?: TrialMetricsFile,
    onObjective?: (curve: IntermediateValue[]) => void,
    local?: LocalCollectorPlan,
    firstStep = 0,
  ) {
    this.#objective = experiment.spec.objective.objectiveMetricName
    this.#onObjective = onObjective
    const collector = experiment.spec.metricsCollectorSpec
    this.#kind = collector?.collector?.kind ?? 'StdOut'
    const source = collector?.source
    this.#writer = new MetricWriter(store, trialId)
    this.#names = metricNames(experiment)
    this.#parser = createMetricsParser({
      format: this.#kind === 'File' ? (source?.fileSystemPath?.format ?? 'TEXT') : 'TEXT',
      metricNames: this.#names,
      ...(source?.filter?.metricsFormat?.length ? { filters: source.filter.metricsFormat } : {}),
      firstStep,
    })
    this.#pollMs = FILE_POLL_MS
    if (this.#kind === 'File' && metricsFile) {
      // A file outside the trial's folder is never cleared: what it held before this launch is not this trial's.
      this.#source = new FileMetricsSource(metricsFile.path, this.#parser, { skipExisting: !metricsFile.inTrialDir })
    } else if (this.#kind === 'TensorFlowEvent' && metricsFile) {
      this.#source = new TfEventDirectorySource(metricsFile.path, this.#names, {
        skipExisting: !metricsFile.inTrialDir,
        onProblem: (message) => this.#notes.push(message),
      })
    } else if (this.#kind === 'PrometheusMetric' && local?.scrape) {
      this.#scrape = new PrometheusScrapeSource(local.scrape.url, this.#names, { firstStep })
      this.#source = this.#scrape
      this.#pollMs = local.scrape.intervalMs
    } else if (this.#kind === 'Custom' && local?.custom) {
      this.#custom = new CustomCollectorProcess(local.custom, (line) => this.#add(this.#parser.feed(line)))
    }
    if (this.#source) this.#schedule()
  }

  get kind(): string {
    return this.#kind
  }

  /**
   * A line of the trial's combined stdout/stderr; for a Custom collector on a cluster (no local
   * process here), a line its container printed (the executor sends those instead).
   */
  onLine(line: string): void {
    if (this.#kind === 'StdOut' || (this.#kind === 'Custom' && !this.#custom)) this.#add(this.#parser.feed(line))
    else this.#custom?.write(line)
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
    this.#stop()
    if (!this.#sourceFinished) {
      if (this.#source) this.#add(await this.#source.finish())
      // Its stdin closes now: it reads what is left, prints, and exits (or is stopped).
      await this.#custom?.finish()
      this.#sourceFinished = true
    }
    await this.#writer.close()
    const notes = [...this.#notes, ...(this.#scrape?.notes(this.#names) ?? []), ...(this.#custom?.notes() ?? [])]
    const otherNames = this.#parser.otherNames
    const nearMiss = this.#parser.nearMisses.get(this.#objective)
    return {
      garbageCount: this.#parser.garbageCount,
      ...(this.#parser.garbageExample !== undefined ? { garbageExample: this.#parser.garbageExample } : {}),
      nonFiniteOnly: [...this.#nonFinite].filter((name) => !this.#finite.has(name)),
      ...(notes.length > 0 ? { notes } : {}),
      ...(otherNames.length > 0 ? { otherNames } : {}),
      ...(nearMiss !== undefined ? { nearMiss: { line: nearMiss, expected: this.#parser.expectedForm(this.#objective) } } : {}),
    }
  }

  /** Stops without writing more (the controller is going down; the trial will be relaunched). */
  abandon(): void {
    this.#stop()
    this.#custom?.kill()
  }

  /**
   * Takes no more points and writes those it has: the trial was early stopped at what it
   * reported so far, and what it prints while dying must not change the stored result.
   */
  async freeze(): Promise<void> {
    this.#frozen = true
    this.#stop()
    await this.#writer.flush()
  }

  #stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
  }

  /** The next read of the source, #pollMs after the last one ended (a slow scrape never piles up behind itself). */
  #schedule(): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => void this.#poll().finally(() => this.#schedule()), this.#pollMs)
    this.#timer.unref()
  }

  async #poll(): Promise<void> {
    try {
      this.#add(await this.#source!.poll())
    } catch {
      // A half-written file is read again at the next poll and at finish().
    }
  }

  #add(points: readonly MetricPoint[]): void {
    if (points.length === 0 || this.#frozen) return
    // A text is no NaN of a diverged run (MetricPoint.text).
    for (const p of points) if (p.text === undefined) (Number.isFinite(p.value) ? this.#finite : this.#nonFinite).add(p.name)
    this.#writer.add([...points])
    if (!this.#onObjective || !points.some((p) => p.name === this.#objective)) return
    for (const p of points) if (p.name === this.#objective) this.#curve.set(p.step, p.value)
    this.#onObjective([...this.#curve].sort(([a], [b]) => a - b).map(([step, value]) => ({ step, value })))
  }
}
