import { dartsAssignments } from '../algorithms/nas/darts/darts-assignments.ts'
import type { ArchitectureTrial } from '../algorithms/nas/nas-suggester.ts'
import { nasAlgorithmDefinition } from '../algorithms/nas/validate-nas-algorithm.ts'
import { parseSettings } from '../algorithms/parse-settings.ts'
import { TunewellError } from '../core/errors.ts'
import { formatArchitecture, NasAssignmentError, parseArchitecture } from '../core/nas/architecture-assignment.ts'
import type { ArchitectureSpace } from '../core/nas/architecture-space.ts'
import { expandNasConfig } from '../core/nas/expand-nas-config.ts'
import { formatNnConfig } from '../core/nas/nn-config-assignment.ts'
import { trialRngs } from '../core/rng.ts'
import type { NasConfig } from '../core/spec/experiment-schema.ts'
import type { Params } from '../core/search-space.ts'
import type { TrialSnapshot } from '../core/trial.ts'
import type { AskRequest, AskResult } from './ask-request.ts'

/**
 * askAlgorithm for an experiment with `spec.nasConfig`, as Katib's NAS suggestion services
 * answer GetSuggestions: the space is the expanded nasConfig, the earlier trials are read back
 * from their `architecture` assignment, and each new trial's params are Katib's assignments as
 * strings, `{ architecture, nn_config }` (core/nas/). The algorithm's `state` (enas's policy,
 * evolution's population) comes back for the service to store with the trials it creates, in
 * one transaction, so a restarted server resumes it. darts is Katib's: every trial gets the same
 * `algorithm-settings`, `search-space` and `num-layers` (dartsAssignments) and searches itself.
 * Streams as in askAlgorithm: architecture i of a call draws from trial number
 * `trialCount + i`'s own stream.
 */
export async function askNasAlgorithm(request: AskRequest & { readonly nasConfig: NasConfig }): Promise<AskResult> {
  const definition = nasAlgorithmDefinition(request.algorithmName)
  if (!definition) throw new TunewellError('ALGORITHM_SETTINGS_INVALID', `"${request.algorithmName}" is not an architecture search algorithm`)
  const { settings } = parseSettings(definition, request.settings)
  if (definition.name === 'darts') {
    const assignments = dartsAssignments(request.nasConfig, settings, request.settings)
    return { suggestions: Array.from({ length: request.count }, () => ({ ...assignments })), state: null, exhausted: false }
  }
  const space = expandNasConfig(request.nasConfig)
  const trialCount = request.trialCount ?? request.trials.length
  const streams = trialRngs(request.seed, trialCount)
  const result = await definition.create(settings).suggest({
    space,
    direction: request.direction,
    trials: architectureTrials(request.trials, space),
    count: request.count,
    rng: streams.streamOf(trialCount),
    suggestionRng: (index) => streams.streamOf(trialCount + index),
    state: request.state,
  })
  const architectures = result.architectures.slice(0, request.count)
  const suggestions: Params[] = architectures.map((architecture) => {
    // What an algorithm returns is checked like what a trial brings back: a bad one is a bug there.
    const text = formatArchitecture(architecture)
    try {
      parseArchitecture(text, space)
    } catch (error) {
      throw new Error(`algorithm "${definition.name}" suggested an architecture outside the space: ${(error as Error).message}`)
    }
    return { architecture: text, nn_config: formatNnConfig(space, architecture) }
  })
  return {
    suggestions,
    state: result.state ?? null,
    exhausted: result.exhausted === true || (suggestions.length < request.count && result.waiting !== true),
  }
}

/**
 * The trials as a NAS algorithm sees them. A trial whose `architecture` is not one of this
 * space (one told through the API with other params) is left out: it says nothing about it.
 */
export function architectureTrials(trials: readonly TrialSnapshot[], space: ArchitectureSpace): ArchitectureTrial[] {
  const read: ArchitectureTrial[] = []
  for (const trial of trials) {
    const text = trial.params['architecture']
    if (typeof text !== 'string') continue
    try {
      read.push({ number: trial.number, architecture: parseArchitecture(text, space), state: trial.state, ...(trial.objective !== undefined ? { objective: trial.objective } : {}) })
    } catch (error) {
      if (!(error instanceof NasAssignmentError)) throw error
    }
  }
  return read
}
