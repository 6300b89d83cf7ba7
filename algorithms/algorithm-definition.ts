import type { SearchSpace } from '../core/search-space.ts'
import type { Suggester } from './suggester.ts'

/** One Katib `algorithmSettings` entry an algorithm accepts. Values arrive as strings. */
export interface SettingSpec {
  /** Katib's setting name, e.g. `random_state`. */
  readonly name: string
  /** How the string value is parsed: `int` and `float` to numbers, `enum` checked against `values`. */
  readonly type: 'int' | 'float' | 'string' | 'enum'
  /**
   * Used when the setting is not given. The one place a default is written: parseSettings fills
   * it in, and `create` reads it through withDefaults (with-defaults.ts), never a literal of its own.
   */
  readonly default?: number | string
  /** Rejected when absent (no default makes sense, e.g. hyperband's `r_l`). */
  readonly required?: boolean
  /** Inclusive lower bound unless `exclusiveMin`. */
  readonly min?: number
  /** Inclusive upper bound unless `exclusiveMax`. */
  readonly max?: number
  readonly exclusiveMin?: boolean
  readonly exclusiveMax?: boolean
  /** The accepted values of an `enum` setting. */
  readonly values?: readonly string[]
  /**
   * Katib's `"None"` (enas's enableNoneSettingsList): an `int` or `float` setting that also
   * accepts the string `None`, which turns off what it controls; it parses to the string `'None'`.
   */
  readonly noneAllowed?: boolean
  /** One line for `--help`, the API and the dashboard's settings form. */
  readonly description: string
}

/** A problem `check` found; the registry turns it into a path under `/spec`. */
export interface SettingIssue {
  /** Says what is wrong and how to fix it. */
  readonly message: string
  /** Name of the `spec.parameters` entry it concerns. */
  readonly parameter?: string
  /** With `parameter`: the field below the parameter, e.g. `/feasibleSpace/step`. */
  readonly field?: string
  /** Name of the setting it concerns. */
  readonly setting?: string
  /** Accepted, but probably not what was meant: reported as a warning, never refused. */
  readonly warning?: boolean
}

/** What an experiment's budget says about the trials an algorithm will be asked for. */
export interface AlgorithmBudget {
  readonly maxTrialCount?: number
  readonly parallelTrialCount: number
}

export type ParsedSettings = Record<string, number | string | undefined>

/** A registry entry: Katib's algorithm name, its settings, and how to build its suggester. */
export interface AlgorithmDefinition<S = ParsedSettings> {
  /** Katib `algorithmName`. */
  readonly name: string
  readonly description: string
  readonly settings: readonly SettingSpec[]
  /** Extra checks on the search space and budget; messages say what is wrong and how to fix it. */
  check?(space: SearchSpace, settings: S, budget: AlgorithmBudget): readonly SettingIssue[]
  /** `settings` come from `parseSettings`, so they are typed, in range and defaulted. */
  create(settings: S): Suggester
  /**
   * Whether `suggest` reads the trials themselves rather than only how many there are; absent
   * means it does. Those that do not are asked with no history and `trialCount`, so a
   * suggestion costs the same at 10 trials as at 100,000 (ask/tell serves thousands a second).
   */
  usesHistory?(space: SearchSpace): boolean
  /**
   * Whether `suggest` reads the trials' `intermediate` series. Absent: it does not, and the
   * controller fills them only for experiments with an early-stopping rule (TPE reads them for
   * EarlyStopped trials, which only a rule makes), so other experiments skip that query.
   */
  readonly usesIntermediateValues?: boolean
  /**
   * Whether its trials continue others' (`SuggestResult.parents`) and are useless without the
   * parent's checkpoint (pbt): such an experiment needs a trialTemplate, since only the local
   * runner hands trials a checkpoint directory.
   */
  readonly needsCheckpoints?: boolean
  /**
   * Whether it accepts an experiment with two objectives or more (`SuggestRequest.directions`).
   * Absent: it optimises one objective, and such an experiment is refused at validation with the
   * list of those that accept several. Every algorithm accepts constraints; those that do not
   * read `TrialSnapshot.constraints` simply ignore them.
   */
  readonly multiObjective?: boolean
}
