import { getNasAlgorithm } from '../../algorithms/nas/nas-registry.ts'
import type { ArchitectureTrial } from '../../algorithms/nas/nas-suggester.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import type { Direction } from '../../algorithms/suggester.ts'
import type { Architecture, ArchitectureSpace } from '../../core/nas/architecture-space.ts'
import { trialRngs } from '../../core/rng.ts'

export interface NasAsk {
  readonly algorithmName: string
  readonly settings: readonly RawSetting[]
  readonly space: ArchitectureSpace
  readonly direction: Direction
  readonly trials: readonly ArchitectureTrial[]
  readonly count: number
  readonly seed: number
  readonly state: unknown
}

/**
 * One ask of a registered NAS algorithm as suggestion/ask-algorithm.ts asks a hyperparameter
 * one: settings parsed, a fresh suggester, the call's stream and one stream per trial number
 * (the seed and that number), the previous state handed in.
 */
export async function askNasAlgorithm(ask: NasAsk): Promise<{ architectures: readonly Architecture[]; state: unknown }> {
  const definition = getNasAlgorithm(ask.algorithmName)
  if (!definition) throw new Error(`unknown NAS algorithm "${ask.algorithmName}"`)
  const { settings, issues } = parseSettings(definition, ask.settings)
  if (issues.length > 0) throw new Error(`${ask.algorithmName}: ${issues.map((i) => i.message).join('; ')}`)
  const trialCount = ask.trials.length
  const streams = trialRngs(ask.seed, trialCount)
  const result = await definition.create(settings).suggest({
    space: ask.space,
    direction: ask.direction,
    trials: ask.trials,
    count: ask.count,
    rng: streams.streamOf(trialCount),
    suggestionRng: (index) => streams.streamOf(trialCount + index),
    state: ask.state,
  })
  return { architectures: result.architectures.slice(0, ask.count), state: result.state ?? null }
}
