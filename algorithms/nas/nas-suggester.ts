import type { Architecture, ArchitectureSpace } from '../../core/nas/architecture-space.ts'
import type { AlgorithmBudget, ParsedSettings, SettingIssue, SettingSpec } from '../algorithm-definition.ts'
import type { Rng } from '../../core/rng.ts'
import type { TrialState } from '../../core/trial.ts'
import type { Direction } from '../suggester.ts'

/** One earlier trial as a NAS algorithm sees it: its architecture, state and objective. */
export interface ArchitectureTrial {
  readonly number: number
  readonly architecture: Architecture
  readonly state: TrialState
  /** The objective value, set once the trial succeeded. */
  readonly objective?: number
}

/** As SuggestRequest (../suggester.ts), over an architecture space. */
export interface NasSuggestRequest {
  readonly space: ArchitectureSpace
  readonly direction: Direction
  /** Every trial so far, ordered by number. */
  readonly trials: readonly ArchitectureTrial[]
  readonly count: number
  readonly rng: Rng
  /** The stream of the `index`-th architecture of this call (see SuggestRequest.suggestionRng). */
  readonly suggestionRng?: (index: number) => Rng
  /** What the previous call returned as `state` (opaque JSON: policy weights, population...). */
  readonly state: unknown
}

export interface NasSuggestResult {
  /** At most `count`. Fewer only with `exhausted` or `waiting` (as SuggestResult's). */
  readonly architectures: readonly Architecture[]
  readonly state?: unknown
  /** Nothing more to suggest (a small space fully tried): the experiment may complete. */
  readonly exhausted?: boolean
  /** Fewer than `count` for now: results of running trials are needed first. */
  readonly waiting?: boolean
}

/** A NAS optimiser. Pure: the same request gives the same result; never the database. */
export interface NasSuggester {
  suggest(request: NasSuggestRequest): NasSuggestResult | Promise<NasSuggestResult>
}

/**
 * A registry entry for an architecture search (`algorithms/nas/nas-registry.ts`): as
 * AlgorithmDefinition (../algorithm-definition.ts), whose settings are parsed the same way
 * (parseSettings), but building a NasSuggester over `spec.nasConfig`.
 */
export interface NasAlgorithmDefinition<S = ParsedSettings> {
  /** Katib `algorithmName` (or ours, for algorithms beyond Katib: documented as an extension). */
  readonly name: string
  readonly description: string
  readonly settings: readonly SettingSpec[]
  /** Checks on the space and budget beyond the settings' own; messages say how to fix it. */
  check?(space: ArchitectureSpace, settings: S, budget: AlgorithmBudget): readonly SettingIssue[]
  create(settings: S): NasSuggester
}
