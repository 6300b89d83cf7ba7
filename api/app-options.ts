import type { FastifyServerOptions } from 'fastify'
import type { SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import type { Store } from '../db/store.ts'
import type { AskFunction } from '../suggestion/suggestion-service.ts'
import type { EarlyStoppingRule } from './operations/early-stopping.ts'
import type { AccessToken } from './access-tokens.ts'
import type { TunewellMetrics } from './metrics/tunewell-metrics.ts'

/**
 * What runs trials in this process (the supervisor of `tunewell serve`), as the API sees it.
 * The API writes desired state to the database and the controller reconciles it, so every
 * method is only a nudge: without a control the same changes are picked up by polling.
 */
export interface ExperimentControl {
  /** The desired state of this experiment changed (created, stopped, resumed, patched, a trial killed). */
  wake(experimentId: string): void
  /** Stop running this experiment's trials here and resolve once they have exited (before a delete). */
  detach(experimentId: string): Promise<void>
}

export interface AppOptions {
  readonly store: Store
  readonly control?: ExperimentControl
  /** Checks beyond the spec before an experiment is accepted, e.g. whether this server could run its trialTemplate. */
  readonly admit?: (experiment: Experiment) => readonly SpecIssue[]
  /**
   * The most parallelTrialCount a submission or PATCH may ask for (`serve --max-parallel-trials`);
   * default DEFAULT_MAX_PARALLEL_TRIALS (core/spec/parallel-limit.ts). Checked before `admit`.
   */
  readonly maxParallelTrials?: number
  /** Path of a trial's combined stdout/stderr; without it the logs route answers 404. */
  readonly trialLogPath?: (experimentName: string, trialName: string) => string
  /**
   * The address the server listens on, which decides the Host headers it answers by default
   * (api/host-policy.ts): loopback names only, or beyond loopback also IP literals and this
   * machine's name. Default 127.0.0.1.
   */
  readonly listenHost?: string
  /** Host names answered besides the defaults (`serve --allowed-hosts`): `a.example`, `.example.com` with subdomains, `*` any. */
  readonly allowedHosts?: readonly string[]
  /** Bearer tokens; none = no authentication. */
  readonly tokens?: readonly AccessToken[]
  /** Largest request body in bytes; default 1 MiB. */
  readonly bodyLimit?: number
  /** Serve https with this PEM certificate (chain) and key (`serve --tls-cert/--tls-key`); plain http without. */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer }
  /** Fastify's logger option; default off (tests). */
  readonly logger?: FastifyServerOptions['logger']
  /**
   * Prometheus metrics shown at /metrics; buildApp makes its own when absent. Routes that take in
   * observations count them with countObservationsIngested(options.metrics, n).
   */
  readonly metrics?: TunewellMetrics
  /** Folder of the built dashboard (ui/build-ui.ts) served at `/`; none = API only. */
  readonly dashboardDir?: string
  /** Ask/tell: seconds without a heartbeat after which a trial is handed to another worker; default 300. */
  readonly heartbeatTimeoutSeconds?: number
  /** Ask/tell: how suggestions are computed (serve: its worker threads); default in this thread. */
  readonly suggest?: AskFunction
  /** Ask/tell: an early-stopping rule consulted on every push of points; default each experiment's spec.earlyStopping. */
  readonly earlyStopping?: EarlyStoppingRule
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024
export const DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 300
