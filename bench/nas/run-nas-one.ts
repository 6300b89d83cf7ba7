import type { RawSetting } from '../../algorithms/parse-settings.ts'
import { parseArchitecture } from '../../core/nas/architecture-assignment.ts'
import type { Architecture } from '../../core/nas/architecture-space.ts'
import { expandNasConfig } from '../../core/nas/expand-nas-config.ts'
import type { NasConfig } from '../../core/spec/experiment-schema.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { askNasAlgorithm } from '../../suggestion/ask-nas-algorithm.ts'

export interface NasRunSpec {
  /** A registered NAS algorithm (`random` is the baseline: sampleArchitecture per trial). */
  readonly algorithm: string
  readonly settings: readonly RawSetting[]
  readonly seed: number
  readonly budget: number
  /** Trials in flight at once. */
  readonly parallel: number
  /**
   * When to ask again: `all`, once every trial in flight has been told (rounds of `parallel`
   * asked at once, as the service asks when trials of equal length end together); `one`, as soon
   * as the oldest has (one ask per result, the others still running).
   */
  readonly refill: 'all' | 'one'
}

export interface NasRunOutcome extends NasRunSpec {
  /** best[n]: the highest accuracy among the first n + 1 trials told. */
  readonly best: readonly number[]
  /**
   * askMs[n]: milliseconds of the ask that created trial n (askNasAlgorithm: settings, the
   * trials' architectures read back, the algorithm, Katib's assignment strings written; not
   * the state's JSON), divided by the trials it created.
   */
  readonly askMs: readonly number[]
  readonly bestArchitecture: Architecture | null
  /** The whole run: asks, surrogate and bookkeeping. */
  readonly wallSeconds: number
  readonly error?: string
}

// Fixed timestamps keep runs reproducible should an algorithm ever look at them.
const EPOCH_MS = Date.UTC(2026, 0, 1)

/**
 * One search as the service runs it with parallelTrialCount = `parallel`, through
 * suggestion/ask-nas-algorithm.ts as SuggestionService asks (Katib's `architecture` and
 * `nn_config` strings in the trials' params, the state through JSON between asks, as the
 * service stores it): the first ask fills every slot; results are told in trial order, and the
 * free slots are asked for per `refill`.
 */
export async function runNasOne(nasConfig: NasConfig, accuracy: (a: Architecture) => number, spec: NasRunSpec): Promise<NasRunOutcome> {
  const space = expandNasConfig(nasConfig)
  const trials: TrialSnapshot[] = []
  const architectures: Architecture[] = []
  const best: number[] = []
  const askMs: number[] = []
  let bestArchitecture: Architecture | null = null
  let state: unknown = undefined
  let told = 0
  const started = performance.now()
  const finish = (error?: string): NasRunOutcome => ({ ...spec, best, askMs, bestArchitecture, wallSeconds: (performance.now() - started) / 1000, ...(error === undefined ? {} : { error }) })
  while (told < spec.budget) {
    const inFlight = trials.length - told
    const count = spec.refill === 'all' && inFlight > 0 ? 0 : Math.min(spec.parallel - inFlight, spec.budget - trials.length)
    if (count > 0) {
      try {
        const asked = performance.now()
        const result = await askNasAlgorithm({ algorithmName: spec.algorithm, settings: spec.settings, nasConfig, space: [], direction: 'maximize', trials, count, seed: spec.seed, state })
        const ms = (performance.now() - asked) / Math.max(1, result.suggestions.length)
        if (result.suggestions.length === 0) return finish(`trial ${trials.length}: the algorithm gave no architecture${result.exhausted ? ' (exhausted)' : ''}`)
        state = result.state === null ? undefined : JSON.parse(JSON.stringify(result.state))
        for (const params of result.suggestions) {
          const n = trials.length
          architectures.push(parseArchitecture(String(params['architecture']), space))
          trials.push({ id: `trial-${n}`, number: n, name: `nas-${n}`, state: 'Running', params, createdAt: new Date(EPOCH_MS + n * 1000) })
          askMs.push(ms)
        }
      } catch (error) {
        return finish(`trial ${trials.length}: ask threw ${(error as Error).message}`)
      }
    }
    const value = accuracy(architectures[told]!)
    trials[told] = { ...trials[told]!, state: 'Succeeded', objective: value, finishedAt: new Date(EPOCH_MS + told * 1000 + 500) }
    if (told === 0 || value > best[told - 1]!) bestArchitecture = architectures[told]!
    best.push(told === 0 ? value : Math.max(best[told - 1]!, value))
    told++
  }
  return finish()
}
