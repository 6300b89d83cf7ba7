/**
 * Regularised evolution (Real, Aggarwal, Huang and Le, "Regularized Evolution for Image
 * Classifier Architecture Search", AAAI 2019): a population of `populationSize` architectures;
 * each child is a one-change mutation of the best of `sampleSize` members drawn at random (a
 * tournament), and joins the population while its oldest member dies, however good it was.
 * Ageing is what the paper adds to tournament selection: good architectures must be re-found by
 * their offspring to stay, which keeps the search from settling on one lucky evaluation.
 *
 * Deviations, and why:
 * - The population is not kept: it is rebuilt on every ask from the trials, as the last
 *   `populationSize` succeeded trials by number. A trial's number is its birth order, so the
 *   oldest member is the one with the lowest number, and "the child joins, the oldest dies"
 *   falls out of taking the newest ones. The service needs no state, a restart loses nothing,
 *   and a trial completing out of order takes the place its number gives it (the paper's
 *   workers add a child when it finishes training).
 * - Failed, killed or early-stopped trials, and those without an objective, are no members: a
 *   failure never becomes a parent and never pushes a member out (the paper has no failures).
 * - The first `populationSize` trials (by number) are random draws (`sampleArchitecture`), as
 *   the paper's initial population; past them, while no trial has succeeded yet (all still
 *   running, or all failed), a child is a random draw too.
 * - The tournament draws its `sampleSize` members without replacement (the paper's pseudo-code
 *   draws with it), so `sampleSize` = `populationSize` means "always the best" exactly, and
 *   while the population is still short of `sampleSize` members the tournament is all of them.
 * - Mutations are those of Katib's macro space (ENAS): another operation in one layer (with
 *   probability `operationProbability`), else one skip connection flipped; the paper's hidden
 *   state mutation has no counterpart here, and its identity mutation (retraining the parent)
 *   is left out, since a trial spent on an architecture already measured tells us nothing new.
 * - A child that some trial already has (any state) or that an earlier child of the same call
 *   has is drawn again: up to MAX_MUTATION_DRAWS mutations of the same parent, then one of the
 *   parent's untried neighbours uniformly, then a random untried architecture (listing the
 *   space when it is small). This is what keeps parallel asks (trials still pending, whose
 *   results nobody knows) distinct: each child draws its own tournament and mutation, and the
 *   pending ones are in the set it must avoid. Once every architecture of a space has a trial,
 *   the call says `exhausted` instead of repeating one, so the experiment can complete, as
 *   grid's does.
 *
 * Seeding: trial n draws from its own stream (`rngForSuggestion`) and reads only trials 0..n-1
 * (their architectures, and the objectives of those that succeeded), so the same seed gives
 * trial n the same architecture however the trials were batched.
 *
 * The deviations' effects were not measured one by one; the whole, against random search, is in
 * docs/benchmarks.md ("NAS"): with the defaults, about two thirds of random's median regret at
 * 100 trials and under two fifths at 300.
 */
import type { Architecture, ArchitectureSpace } from '../../../core/nas/architecture-space.ts'
import type { Rng } from '../../../core/rng.ts'
import { rngForSuggestion } from '../../rng-for-suggestion.ts'
import type { Direction } from '../../suggester.ts'
import type { ArchitectureTrial, NasSuggestRequest, NasSuggestResult, NasSuggester } from '../nas-suggester.ts'
import { sampleArchitecture } from '../sample-architecture.ts'
import { architectureKey } from './architecture-key.ts'
import { architectureAt, spaceSize } from './enumerate-architectures.ts'
import { allMutations, mutateArchitecture, mutationCounts } from './mutate-architecture.ts'

const MAX_MUTATION_DRAWS = 16
const MAX_RANDOM_DRAWS = 32
// A parent with more neighbours than this is not listed: 16 colliding draws among so many mean
// its neighbourhood is well covered, and a random architecture serves as well.
const NEIGHBOUR_LIMIT = 100_000
// Spaces up to this many architectures are listed once random draws keep hitting tried ones.
const ENUMERATION_LIMIT = 100_000

export interface EvolutionOptions {
  readonly populationSize: number
  readonly sampleSize: number
  /** The chance that a mutation changes an operation rather than a skip. */
  readonly operationProbability: number
}

/** A member of the population: a succeeded trial. */
interface Member {
  readonly number: number
  readonly architecture: Architecture
  readonly objective: number
}

export class EvolutionSuggester implements NasSuggester {
  constructor(private readonly options: EvolutionOptions) {}

  suggest(request: NasSuggestRequest): NasSuggestResult {
    const { space } = request
    if (space.operations.length === 0 || space.numLayers < 1) return { architectures: [] }
    const population = currentPopulation(request.trials, this.options.populationSize)
    const used = new Set(request.trials.map((t) => architectureKey(t.architecture)))
    const architectures: Architecture[] = []
    // The next trial's number: trials whose architecture the service could not read are left
    // out of `trials`, so their count alone may fall short of it.
    const next = Math.max(request.trials.length, (request.trials.at(-1)?.number ?? -1) + 1)
    const size = spaceSize(space)
    for (let index = 0; index < request.count; index++) {
      if (used.size >= size) return { architectures, exhausted: true }
      const number = next + index
      const rng = rngForSuggestion(request, index)
      const child = number < this.options.populationSize || population.length === 0
        ? randomUnused(space, rng, used)
        : this.child(space, tournament(population, this.options.sampleSize, request.direction, rng), rng, used)
      used.add(architectureKey(child))
      architectures.push(child)
    }
    return { architectures }
  }

  /** A one-change mutation of `parent` that no trial has yet, where one can be found. */
  private child(space: ArchitectureSpace, parent: Architecture, rng: Rng, used: ReadonlySet<string>): Architecture {
    let child = parent
    for (let draw = 0; draw < MAX_MUTATION_DRAWS; draw++) {
      child = mutateArchitecture(space, parent, rng, this.options.operationProbability)
      if (!used.has(architectureKey(child))) return child
    }
    const counts = mutationCounts(space)
    if (counts.operation + counts.skip <= NEIGHBOUR_LIMIT) {
      const untried = allMutations(space, parent).filter((a) => !used.has(architectureKey(a)))
      if (untried.length > 0) return untried[rng.int(untried.length)]!
    }
    const drawn = randomUnused(space, rng, used)
    return used.has(architectureKey(drawn)) ? child : drawn
  }
}

/** The newest `size` succeeded trials with a finite objective, oldest first. */
export function currentPopulation(trials: readonly ArchitectureTrial[], size: number): Member[] {
  const members: Member[] = []
  for (let i = trials.length - 1; i >= 0 && members.length < size; i--) {
    const t = trials[i]!
    if (t.state === 'Succeeded' && t.objective !== undefined && Number.isFinite(t.objective)) {
      members.push({ number: t.number, architecture: t.architecture, objective: t.objective })
    }
  }
  return members.reverse()
}

/** The best of `sampleSize` members drawn without replacement (all of them when fewer). */
export function tournament(population: readonly Member[], sampleSize: number, direction: Direction, rng: Rng): Architecture {
  const pool = [...population]
  const drawn = Math.min(sampleSize, pool.length)
  let best: Member | undefined
  for (let i = 0; i < drawn; i++) {
    // Partial Fisher-Yates: the first i slots hold the members drawn so far.
    const j = i + rng.int(pool.length - i)
    ;[pool[i], pool[j]] = [pool[j]!, pool[i]!]
    const candidate = pool[i]!
    if (best === undefined || (direction === 'maximize' ? candidate.objective > best.objective : candidate.objective < best.objective)) best = candidate
  }
  return best!.architecture
}

/**
 * A uniform draw that no trial has yet: redrawn up to MAX_RANDOM_DRAWS times, then, on a space
 * small enough to list, one of its untried architectures uniformly; a repeat only when none is left.
 */
function randomUnused(space: ArchitectureSpace, rng: Rng, used: ReadonlySet<string>): Architecture {
  let architecture = sampleArchitecture(space, rng)
  for (let draw = 1; draw < MAX_RANDOM_DRAWS; draw++) {
    if (!used.has(architectureKey(architecture))) return architecture
    architecture = sampleArchitecture(space, rng)
  }
  if (used.has(architectureKey(architecture)) && spaceSize(space) <= ENUMERATION_LIMIT) {
    const untried: Architecture[] = []
    for (let index = 0; index < spaceSize(space); index++) {
      const candidate = architectureAt(space, index)
      if (!used.has(architectureKey(candidate))) untried.push(candidate)
    }
    if (untried.length > 0) return untried[rng.int(untried.length)]!
  }
  return architecture
}
