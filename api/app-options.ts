import type { FastifyServerOptions } from 'fastify'
import type { SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import type { Store } from '../db/store.ts'
import type { AccessToken } from './access-tokens.ts'

/**
 * What runs trials in this process (the supervisor of `hypertune serve`), as the API sees it.
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
  /** Path of a trial's combined stdout/stderr; without it the logs route answers 404. */
  readonly trialLogPath?: (experimentName: string, trialName: string) => string
  /** Bearer tokens; none = no authentication. */
  readonly tokens?: readonly AccessToken[]
  /** Largest request body in bytes; default 1 MiB. */
  readonly bodyLimit?: number
  /** Fastify's logger option; default off (tests). */
  readonly logger?: FastifyServerOptions['logger']
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024
