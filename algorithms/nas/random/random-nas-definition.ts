/**
 * `random` over `spec.nasConfig`: every architecture drawn uniformly (sampleArchitecture: each
 * layer's operation, each skip a fair coin), independently of the results. Not in Katib, whose
 * `random` searches spec.parameters only: an extension, the baseline the architecture searches
 * are measured against (bench/nas). Trial n draws from its own stream (the experiment seed and
 * n), so the same `random_state` gives the same architectures however trials were batched.
 * Repeats are not avoided: a space of a few layers has billions of architectures.
 */
import { randomStateSetting } from '../../seed-from-settings.ts'
import type { NasAlgorithmDefinition } from '../nas-suggester.ts'
import { sampleArchitecture } from '../sample-architecture.ts'

export const randomNasAlgorithm: NasAlgorithmDefinition = {
  name: 'random',
  description: 'Architectures drawn uniformly (each layer\'s operation, and each skip connection with probability 1/2), an extension beyond Katib: the baseline for enas and evolution.',
  settings: [randomStateSetting('Seed of the experiment; the same spec and random_state give the same architectures.')],
  create: () => ({
    suggest: (request) => ({
      architectures: Array.from({ length: request.count }, (_, i) => sampleArchitecture(request.space, request.suggestionRng?.(i) ?? request.rng)),
    }),
  }),
}
