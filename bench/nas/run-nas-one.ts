import type { ArchitectureTrial } from '../../algorithms/nas/nas-suggester.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import type { Architecture, ArchitectureSpace } from '../../core/nas/architecture-space.ts'
import { askNasAlgorithm } from './ask-nas-algorithm.ts'

export interface NasRunSpec {
  /** A registered NAS algorithm (`random` is the baseline: sampleArchitecture per trial). */
  readonly algorithm: string
  readonly settings: readonly RawSetting[]
  readonly seed: number
  readonly budget: number
  /** Trials in flight at once. */
  readonly parallel: number
}

export interface NasRunOutcome extends NasRunSpec {
  /** best[n]: the highest accuracy among the first n + 1 trials told. */
  readonly best: readonly number[]
  /**
   * askMs[n]: milliseconds of the ask that created trial n (settings, a fresh suggester and its
   * suggest, not the state's JSON), divided by the trials it created.
   */
  readonly askMs: readonly number[]
  readonly bestArchitecture: Architecture | null
  readonly error?: string
}

/**
 * One search as the service runs it with parallelTrialCount = `parallel`: the first ask fills
 * every slot, then each time the oldest running trial finishes (results are told in trial
 * order) one more is asked while the others are still Running, so the algorithm always sees
 * pending trials. The algorithm state goes through JSON between asks, as the service stores it.
 */
export async function runNasOne(space: ArchitectureSpace, accuracy: (a: Architecture) => number, spec: NasRunSpec): Promise<NasRunOutcome> {
  const trials: ArchitectureTrial[] = []
  const best: number[] = []
  const askMs: number[] = []
  let bestArchitecture: Architecture | null = null
  let state: unknown = undefined
  let told = 0
  const finish = (error?: string): NasRunOutcome => ({ ...spec, best, askMs, bestArchitecture, ...(error === undefined ? {} : { error }) })
  while (told < spec.budget) {
    const count = Math.min(spec.parallel - (trials.length - told), spec.budget - trials.length)
    if (count > 0) {
      let architectures: readonly Architecture[]
      let ms: number
      try {
        const started = performance.now()
        const result = await askNasAlgorithm({ algorithmName: spec.algorithm, settings: spec.settings, space, direction: 'maximize', trials, count, seed: spec.seed, state })
        architectures = result.architectures
        ms = (performance.now() - started) / Math.max(1, architectures.length)
        state = result.state === null ? undefined : JSON.parse(JSON.stringify(result.state))
      } catch (error) {
        return finish(`trial ${trials.length}: ask threw ${(error as Error).message}`)
      }
      if (architectures.length === 0) return finish(`trial ${trials.length}: the algorithm gave no architecture`)
      for (const architecture of architectures) {
        const issue = architectureIssue(space, architecture)
        if (issue) return finish(`trial ${trials.length}: invalid architecture ${JSON.stringify(architecture)}: ${issue}`)
        trials.push({ number: trials.length, architecture, state: 'Running' })
        askMs.push(ms)
      }
    }
    const trial = trials[told]!
    const value = accuracy(trial.architecture)
    trials[told] = { ...trial, state: 'Succeeded', objective: value }
    if (told === 0 || value > best[told - 1]!) bestArchitecture = trial.architecture
    best.push(told === 0 ? value : Math.max(best[told - 1]!, value))
    told++
  }
  return finish()
}

/** Why `architecture` is not one of `space`'s (Katib's shape), or undefined. */
export function architectureIssue(space: ArchitectureSpace, architecture: Architecture): string | undefined {
  if (architecture.length !== space.numLayers) return `${architecture.length} layers, the space has ${space.numLayers}`
  for (let layer = 0; layer < architecture.length; layer++) {
    const row = architecture[layer]!
    if (row.length !== layer + 1) return `layer ${layer} has ${row.length} entries, expected ${layer + 1} (an operation and ${layer} skips)`
    const op = row[0]!
    if (!Number.isInteger(op) || op < 0 || op >= space.operations.length) return `layer ${layer}: operation ${op} is not in 0..${space.operations.length - 1}`
    if (row.slice(1).some((s) => s !== 0 && s !== 1)) return `layer ${layer}: a skip is not 0 or 1`
  }
  return undefined
}
