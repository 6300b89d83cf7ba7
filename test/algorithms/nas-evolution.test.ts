import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { architectureKey } from '../../algorithms/nas/evolution/architecture-key.ts'
import { architectureAt, spaceSize } from '../../algorithms/nas/evolution/enumerate-architectures.ts'
import { evolutionAlgorithm } from '../../algorithms/nas/evolution/evolution-definition.ts'
import { allMutations, mutateArchitecture } from '../../algorithms/nas/evolution/mutate-architecture.ts'
import { getNasAlgorithm } from '../../algorithms/nas/nas-registry.ts'
import type { ArchitectureTrial, NasSuggestRequest, NasSuggester } from '../../algorithms/nas/nas-suggester.ts'
import { sampleArchitecture } from '../../algorithms/nas/sample-architecture.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import type { Direction } from '../../algorithms/suggester.ts'
import type { Architecture, ArchitectureSpace } from '../../core/nas/architecture-space.ts'
import { createRng, trialRngs } from '../../core/rng.ts'

function space(numLayers: number, operations: number): ArchitectureSpace {
  return {
    numLayers,
    inputSizes: [8, 8, 1],
    outputSizes: [10],
    operations: Array.from({ length: operations }, (_, id) => ({ id, type: 'convolution', params: { filter_size: String(id) } })),
  }
}
const SPACE = space(5, 12)

function create(settings: Record<string, string> = {}): NasSuggester {
  const parsed = parseSettings(evolutionAlgorithm, Object.entries(settings).map(([name, value]) => ({ name, value })))
  assert.deepEqual(parsed.issues, [])
  return evolutionAlgorithm.create(parsed.settings)
}

/** As the service asks: the call's stream and one per trial number, from the seed and that number. */
function request(space: ArchitectureSpace, trials: readonly ArchitectureTrial[], count: number, seed = 7, direction: Direction = 'maximize'): NasSuggestRequest {
  const streams = trialRngs(seed, trials.length)
  return {
    space, direction, trials, count, state: undefined,
    rng: streams.streamOf(trials.length),
    suggestionRng: (index) => streams.streamOf(trials.length + index),
  }
}

async function ask(suggester: NasSuggester, req: NasSuggestRequest): Promise<readonly Architecture[]> {
  return (await suggester.suggest(req)).architectures
}

function succeeded(number: number, architecture: Architecture, objective: number): ArchitectureTrial {
  return { number, architecture, state: 'Succeeded', objective }
}

/** Positions where two architectures differ: ['op', layer] or ['skip', layer, earlier]. */
function differences(a: Architecture, b: Architecture): (readonly [string, ...number[]])[] {
  const out: (readonly [string, ...number[]])[] = []
  a.forEach((row, layer) => row.forEach((value, k) => {
    if (value !== b[layer]![k]) out.push(k === 0 ? ['op', layer] : ['skip', layer, k - 1])
  }))
  return out
}

/** All ops `op` and no skips, so architectures built from it are far apart. */
function uniform(space: ArchitectureSpace, op: number): Architecture {
  return Array.from({ length: space.numLayers }, (_, layer) => [op, ...new Array<number>(layer).fill(0)])
}

/** A synthetic reward: layers holding their target operation, plus skips matching a target pattern. */
function reward(architecture: Architecture): number {
  let score = 0
  architecture.forEach((row, layer) => {
    if (row[0] === (layer * 5) % 12) score += 2
    row.slice(1).forEach((bit, earlier) => { if (bit === (layer + earlier) % 2) score += 1 })
  })
  return score
}

/** Runs `budget` trials, `parallel` in flight, results told in trial order; returns the best reward. */
async function search(suggester: NasSuggester, seed: number, budget: number, parallel: number): Promise<{ best: number; trials: ArchitectureTrial[] }> {
  const trials: ArchitectureTrial[] = []
  let told = 0
  let best = -Infinity
  while (told < budget) {
    const count = Math.min(parallel - (trials.length - told), budget - trials.length)
    if (count > 0) for (const architecture of await ask(suggester, request(SPACE, trials, count, seed))) trials.push({ number: trials.length, architecture, state: 'Running' })
    const value = reward(trials[told]!.architecture)
    trials[told] = { ...trials[told]!, state: 'Succeeded', objective: value }
    best = Math.max(best, value)
    told++
  }
  return { best, trials }
}

describe('evolution (regularised evolution, Real et al. 2019)', () => {
  it('is registered as a NAS algorithm under "evolution"', () => {
    assert.equal(getNasAlgorithm('evolution'), evolutionAlgorithm)
  })

  it('draws the first population_size architectures uniformly, each from its own trial stream', async () => {
    const got = await ask(create({ population_size: '6' }), request(SPACE, [], 6, 11))
    const streams = trialRngs(11, 0)
    assert.deepEqual(got, Array.from({ length: 6 }, (_, i) => sampleArchitecture(SPACE, streams.streamOf(i))))
  })

  it('is deterministic: the same seed and history give the same architectures, another seed others', async () => {
    const history = (await search(create({ population_size: '8' }), 3, 40, 4)).trials
    const a = await ask(create({ population_size: '8' }), request(SPACE, history, 5, 3))
    const b = await ask(create({ population_size: '8' }), request(SPACE, history, 5, 3))
    const c = await ask(create({ population_size: '8' }), request(SPACE, history, 5, 4))
    assert.deepEqual(a, b)
    assert.notDeepEqual(a, c)
    const again = (await search(create({ population_size: '8' }), 3, 40, 4)).trials
    assert.deepEqual(again, history)
  })

  it('gives trial n the same architecture whether asked alone or in a batch, the earlier ones pending', async () => {
    const history = (await search(create({ population_size: '8' }), 5, 30, 1)).trials
    const batch = await ask(create({ population_size: '8' }), request(SPACE, history, 6))
    const oneByOne: ArchitectureTrial[] = [...history]
    for (let i = 0; i < 6; i++) {
      const [next] = await ask(create({ population_size: '8' }), request(SPACE, oneByOne, 1))
      oneByOne.push({ number: oneByOne.length, architecture: next!, state: 'Pending' })
    }
    assert.deepEqual(oneByOne.slice(30).map((t) => t.architecture), batch)
  })

  it('asked ahead of results, gives distinct children, none already tried, each one change from a member', async () => {
    const history = (await search(create({ population_size: '8' }), 9, 20, 1)).trials
    // Twelve more are running, their results unknown, then twelve are asked at once.
    const running = (await ask(create({ population_size: '8' }), request(SPACE, history, 12))).map((architecture, i): ArchitectureTrial => ({ number: 20 + i, architecture, state: 'Running' }))
    const trials = [...history, ...running]
    const children = await ask(create({ population_size: '8' }), request(SPACE, trials, 12))
    assert.equal(children.length, 12)
    const keys = [...trials.map((t) => t.architecture), ...children].map(architectureKey)
    assert.equal(new Set(keys).size, keys.length, 'no architecture twice')
    const members = history.slice(-8).map((t) => t.architecture)
    for (const child of children) {
      assert.ok(members.some((m) => differences(m, child).length === 1), `${architectureKey(child)} is one change from a member of the population`)
    }
  })

  it('ages: a better architecture older than the population is no longer a parent', async () => {
    // population_size 3 = sample_size: the tournament is always the whole population's best.
    const suggester = create({ population_size: '3', sample_size: '3' })
    const trials = [succeeded(0, uniform(SPACE, 0), 100), succeeded(1, uniform(SPACE, 3), 1), succeeded(2, uniform(SPACE, 6), 5), succeeded(3, uniform(SPACE, 9), 2)]
    for (const child of await ask(suggester, request(SPACE, trials, 8))) {
      assert.equal(differences(uniform(SPACE, 6), child).length, 1, `${architectureKey(child)} is a child of trial 2, the best of the newest three`)
    }
    const minimized = await ask(suggester, request(SPACE, trials, 4, 7, 'minimize'))
    for (const child of minimized) assert.equal(differences(uniform(SPACE, 3), child).length, 1, 'minimizing, trial 1 (objective 1) is the parent')
  })

  it('never makes a failed trial a parent, nor lets failures push members out', async () => {
    const suggester = create({ population_size: '3', sample_size: '3' })
    const trials: ArchitectureTrial[] = [
      succeeded(0, uniform(SPACE, 0), 50), succeeded(1, uniform(SPACE, 3), 1), succeeded(2, uniform(SPACE, 6), 5),
      { number: 3, architecture: uniform(SPACE, 9), state: 'Failed', objective: 1000 },
      { number: 4, architecture: uniform(SPACE, 10), state: 'Failed' },
      { number: 5, architecture: uniform(SPACE, 11), state: 'EarlyStopped', objective: 999 },
    ]
    for (const child of await ask(suggester, request(SPACE, trials, 8))) {
      assert.equal(differences(uniform(SPACE, 0), child).length, 1, `${architectureKey(child)} is a child of trial 0`)
    }
  })

  it('counts a trial left out of the history (its architecture unreadable) towards the initial draws', async () => {
    const trials = [succeeded(0, uniform(SPACE, 0), 1), succeeded(1, uniform(SPACE, 4), 2), succeeded(3, uniform(SPACE, 8), 3)]
    // Trial 2 is missing, so the next is trial 4: past a population of 4, a child, not a random draw.
    for (const child of await ask(create({ population_size: '4', sample_size: '4' }), request(SPACE, trials, 3))) {
      assert.equal(differences(uniform(SPACE, 8), child).length, 1, `${architectureKey(child)} is a child of trial 3, the best`)
    }
  })

  it('draws at random past the initial population while no trial has succeeded', async () => {
    const failed = Array.from({ length: 4 }, (_, number): ArchitectureTrial => ({ number, architecture: uniform(SPACE, number), state: 'Failed' }))
    const got = await ask(create({ population_size: '4' }), request(SPACE, failed, 3, 2))
    const streams = trialRngs(2, 4)
    assert.deepEqual(got, [0, 1, 2].map((i) => sampleArchitecture(SPACE, streams.streamOf(4 + i))))
  })

  it('mutation changes exactly one thing: an operation (to another) or a skip', () => {
    const rng = createRng(5)
    const parent = sampleArchitecture(SPACE, rng)
    const kinds = new Set<string>()
    for (let i = 0; i < 400; i++) {
      const child = mutateArchitecture(SPACE, parent, rng, 0.5)
      const diff = differences(parent, child)
      assert.equal(diff.length, 1)
      kinds.add(diff[0]![0])
    }
    assert.deepEqual([...kinds].sort(), ['op', 'skip'])
    for (let i = 0; i < 50; i++) assert.equal(differences(parent, mutateArchitecture(SPACE, parent, rng, 1))[0]![0], 'op')
    for (let i = 0; i < 50; i++) assert.equal(differences(parent, mutateArchitecture(SPACE, parent, rng, 0))[0]![0], 'skip')
    // One layer has no skips: its operation changes whatever the probability says; one operation has no alternative.
    assert.equal(differences([[2]], mutateArchitecture(space(1, 4), [[2]], rng, 0))[0]![0], 'op')
    assert.equal(differences([[0], [0, 1]], mutateArchitecture(space(2, 1), [[0], [0, 1]], rng, 1))[0]![0], 'skip')
    assert.deepEqual(mutateArchitecture(space(1, 1), [[0]], rng, 0.5), [[0]])
    assert.equal(allMutations(SPACE, parent).length, 5 * 11 + 10)
    assert.ok(allMutations(SPACE, parent).every((child) => differences(parent, child).length === 1))
  })

  it('uses every architecture of a small space once, then says the space is exhausted', async () => {
    const small = space(2, 2) // 2 · 2 operations · 2 skip patterns = 8
    assert.equal(spaceSize(small), 8)
    assert.equal(new Set(Array.from({ length: 8 }, (_, i) => architectureKey(architectureAt(small, i)))).size, 8)
    const suggester = create({ population_size: '2', sample_size: '1' })
    const trials: ArchitectureTrial[] = []
    for (let n = 0; n < 7; n++) {
      const [architecture] = await ask(suggester, request(small, trials, 1, n))
      trials.push(succeeded(n, architecture!, n % 3))
    }
    // The last one left comes in a call that asks for more, which ends there.
    const last = await suggester.suggest(request(small, trials, 3))
    assert.equal(last.architectures.length, 1)
    assert.equal(last.exhausted, true)
    trials.push(succeeded(7, last.architectures[0]!, 1))
    assert.equal(new Set(trials.map((t) => architectureKey(t.architecture))).size, 8)
    assert.deepEqual(await suggester.suggest(request(small, trials, 2)), { architectures: [], exhausted: true })
  })

  it('beats random search on a synthetic reward at 150 trials, 4 in parallel', async () => {
    const random = getNasAlgorithm('random')!
    const evolution: number[] = []
    const baseline: number[] = []
    for (let seed = 0; seed < 9; seed++) {
      evolution.push((await search(create(), seed, 150, 4)).best)
      baseline.push((await search(random.create(parseSettings(random, []).settings), seed, 150, 4)).best)
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[4]!
    assert.ok(median(evolution) > median(baseline) + 2, `evolution's median best ${median(evolution)} against random's ${median(baseline)} (the maximum is ${5 * 2 + 10})`)
  })

  it('checks its settings against each other and the budget, saying how to fix them', () => {
    const parsed = (settings: Record<string, string>) => parseSettings(evolutionAlgorithm, Object.entries(settings).map(([name, value]) => ({ name, value })))
    assert.deepEqual(parsed({}).settings, { population_size: 16, sample_size: 6, operation_mutation_probability: 0.5 })
    assert.match(parsed({ population_size: '1' }).issues[0]!.message, /population_size.*>= 2/)
    assert.match(parsed({ operation_mutation_probability: '1.5' }).issues[0]!.message, /<= 1/)
    const check = (settings: Record<string, string>, maxTrialCount?: number) =>
      evolutionAlgorithm.check!(SPACE, parsed(settings).settings, { parallelTrialCount: 4, ...(maxTrialCount === undefined ? {} : { maxTrialCount }) })
    assert.deepEqual(check({}, 100), [])
    const tooLarge = check({ population_size: '10', sample_size: '12' })
    assert.equal(tooLarge.length, 1)
    assert.equal(tooLarge[0]!.setting, 'sample_size')
    assert.match(tooLarge[0]!.message, /sample_size 12 is larger than population_size 10.*at most 10/)
    const allRandom = check({}, 12)
    assert.equal(allRandom[0]!.warning, true)
    assert.match(allRandom[0]!.message, /every trial is a random draw.*lower population_size/)
  })
})
