import type { ExperimentState, Store } from '../../db/store.ts'
import { TRIAL_STATES, type TrialState } from '../../core/trial.ts'
import { isMultiObjective } from '../../core/multiobjective/objectives.ts'
import { experimentFront } from '../../lifecycle/best-front.ts'
import { Counter } from './counter.ts'
import { Gauge } from './gauge.ts'
import { Histogram } from './histogram.ts'
import { MetricsRegistry } from './metrics-registry.ts'

/** Suggestions range from microseconds (random) to seconds (a GP fit on thousands of trials). */
const SUGGESTION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/**
 * Every metric the server exports, on one registry (GET /metrics). One instance per server:
 * `tunewell serve` creates it and hands it to the API (AppOptions.metrics) and to whatever it
 * instruments (instrument-ask.ts); an app built without one gets its own.
 */
export class TunewellMetrics {
  readonly registry = new MetricsRegistry()

  /** Set at scrape time from the database (collectStoreGauges), so they hold for every process writing to it. */
  readonly trials = this.registry.register(new Gauge<'experiment' | 'state'>({
    name: 'tunewell_trials', help: 'Trials per experiment and state, from the database at scrape time.', labelNames: ['experiment', 'state'],
  }))

  readonly experiments = this.registry.register(new Gauge<'state'>({
    name: 'tunewell_experiments', help: 'Experiments per state, from the database at scrape time.', labelNames: ['state'],
  }))

  readonly httpRequestDuration = this.registry.register(new Histogram<'method' | 'route' | 'status'>({
    name: 'tunewell_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status class (2xx, 4xx...); event streams are not counted.',
    labelNames: ['method', 'route', 'status'],
  }))

  readonly suggestionDuration = this.registry.register(new Histogram<'algorithm'>({
    name: 'tunewell_suggestion_duration_seconds',
    help: 'Time to compute one batch of suggestions, by algorithm (worker-thread queueing included).',
    labelNames: ['algorithm'],
    buckets: SUGGESTION_BUCKETS,
  }))

  /** Call observationsIngested.inc(n) (or countObservationsIngested) wherever points are taken in over the API. */
  readonly observationsIngested = this.registry.register(new Counter({
    name: 'tunewell_observations_ingested_total', help: 'Metric points accepted over the API (batch pushes and tells).',
  }))

  /** Set at scrape time (collectStoreGauges) for each experiment with several objectives and a feasible trial. */
  readonly hypervolume = this.registry.register(new Gauge<'experiment'>({
    name: 'tunewell_experiment_hypervolume',
    help: 'Hypervolume of a multi-objective experiment\'s Pareto front, against its reference point (docs/multiobjective.md), at scrape time.',
    labelNames: ['experiment'],
  }))

  /** Per experiment id: its hypervolume at a given count of Succeeded trials, so a scrape recomputes only what changed. */
  readonly hypervolumeCache = new Map<string, { readonly succeeded: number; readonly value: number | null }>()

  readonly eventStreamClients = this.registry.register(new Gauge({
    name: 'tunewell_event_stream_clients', help: 'Open server-sent event streams (GET .../events).',
  }))
}

/** For ingest routes: counts `accepted` points when the app has metrics (it always does under buildApp). */
export function countObservationsIngested(metrics: TunewellMetrics | undefined, accepted: number): void {
  if (accepted > 0) metrics?.observationsIngested.inc(accepted)
}

/**
 * Recomputes the database gauges: two grouped queries. Gauges are reset first, so an experiment
 * that was deleted disappears instead of keeping its last counts. Every trial state of every
 * experiment that has trials is present, zeros included, so a series that drops to 0 shows 0
 * rather than vanishing.
 */
export async function collectStoreGauges(store: Store, metrics: TunewellMetrics): Promise<void> {
  const [experiments, trials] = await Promise.all([store.experiments.countByState(), store.experiments.trialCountsByState()])
  metrics.experiments.reset()
  for (const [state, count] of Object.entries(experiments) as [ExperimentState, number][]) metrics.experiments.set(count, { state })
  metrics.trials.reset()
  const byExperiment = new Map<string, Map<TrialState, number>>()
  for (const row of trials) {
    let states = byExperiment.get(row.experimentName)
    if (!states) byExperiment.set(row.experimentName, (states = new Map()))
    states.set(row.state, row.count)
  }
  for (const [experiment, states] of byExperiment) {
    for (const state of TRIAL_STATES) metrics.trials.set(states.get(state) ?? 0, { experiment, state })
  }
  await collectHypervolumes(store, metrics, byExperiment)
}

/**
 * One series per multi-objective experiment that has a feasible Succeeded trial. The front is
 * read again only for an experiment whose Succeeded count changed since the last scrape.
 */
async function collectHypervolumes(store: Store, metrics: TunewellMetrics, counts: ReadonlyMap<string, ReadonlyMap<TrialState, number>>): Promise<void> {
  metrics.hypervolume.reset()
  const cache = metrics.hypervolumeCache
  const seen = new Set<string>()
  for (const experiment of await store.experiments.list()) {
    const objective = experiment.spec.spec.objective
    if (!isMultiObjective(objective)) continue
    seen.add(experiment.id)
    const succeeded = counts.get(experiment.name)?.get('Succeeded') ?? 0
    let cached = cache.get(experiment.id)
    if (!cached || cached.succeeded !== succeeded) {
      const front = experimentFront(objective, await store.trials.list(experiment.id, { states: ['Succeeded'] }))
      cached = { succeeded, value: front.hypervolume }
      cache.set(experiment.id, cached)
    }
    if (cached.value !== null && Number.isFinite(cached.value)) metrics.hypervolume.set(cached.value, { experiment: experiment.name })
  }
  for (const id of cache.keys()) if (!seen.has(id)) cache.delete(id)
}
