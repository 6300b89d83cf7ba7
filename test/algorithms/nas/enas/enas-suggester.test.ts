import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { controllerLayout } from '../../../../algorithms/nas/enas/controller-layout.ts'
import { scoreArchitecture } from '../../../../algorithms/nas/enas/controller-pass.ts'
import { enasAlgorithm, enasOptions } from '../../../../algorithms/nas/enas/enas-definition.ts'
import { decodeEnasState, type EnasStateJson } from '../../../../algorithms/nas/enas/enas-state.ts'
import { getNasAlgorithm } from '../../../../algorithms/nas/nas-registry.ts'
import type { ArchitectureTrial, NasSuggester, NasSuggestRequest } from '../../../../algorithms/nas/nas-suggester.ts'
import { parseSettings } from '../../../../algorithms/parse-settings.ts'
import type { Direction } from '../../../../algorithms/suggester.ts'
import type { Architecture, ArchitectureSpace } from '../../../../core/nas/architecture-space.ts'
import type { TrialState } from '../../../../core/trial.ts'
import { trialRngs } from '../../../../core/rng.ts'

function space(numLayers: number, operations: number): ArchitectureSpace {
  return {
    numLayers,
    inputSizes: [8, 8, 1],
    outputSizes: [10],
    operations: Array.from({ length: operations }, (_, id) => ({ id, type: 'convolution', params: { filter_size: String(id) } })),
  }
}

function parse(settings: Record<string, string>) {
  return parseSettings(enasAlgorithm, Object.entries(settings).map(([name, value]) => ({ name, value })))
}

function create(settings: Record<string, string> = {}): NasSuggester {
  const parsed = parse(settings)
  assert.deepEqual(parsed.issues, [])
  return enasAlgorithm.create(parsed.settings)
}

/** As the service asks: the call's stream and one per trial number, from the seed and that number. */
function request(space: ArchitectureSpace, trials: readonly ArchitectureTrial[], count: number, state: unknown, seed = 7, direction: Direction = 'maximize'): NasSuggestRequest {
  const streams = trialRngs(seed, trials.length)
  return {
    space, direction, trials, count, state,
    rng: streams.streamOf(trials.length),
    suggestionRng: (index) => streams.streamOf(trials.length + index),
  }
}

function trial(number: number, architecture: Architecture, state: TrialState, objective?: number): ArchitectureTrial {
  return { number, architecture, state, ...(objective === undefined ? {} : { objective }) }
}

/**
 * A synthetic reward with a known best architecture: half for the layers whose operation
 * matches the target's, half for the skips that match.
 */
function matchReward(target: Architecture): (a: Architecture) => number {
  const skipCount = target.reduce((n, row) => n + row.length - 1, 0)
  return (a) => {
    let ops = 0
    let skips = 0
    a.forEach((row, layer) => {
      if (row[0] === target[layer]![0]) ops++
      for (let j = 1; j < row.length; j++) if (row[j] === target[layer]![j]) skips++
    })
    return 0.5 * ops / target.length + 0.5 * (skipCount === 0 ? 1 : skips / skipCount)
  }
}

/** Asks in batches, each batch's trials succeeding with `objective` before the next ask. */
async function runBatches(options: {
  suggester: NasSuggester; space: ArchitectureSpace; batches: number; batchSize: number; seed: number
  objective: (a: Architecture) => number; direction?: Direction; roundTrip?: boolean
}): Promise<{ batches: Architecture[][]; state: unknown }> {
  const trials: ArchitectureTrial[] = []
  const batches: Architecture[][] = []
  let state: unknown
  for (let b = 0; b < options.batches; b++) {
    const result = await options.suggester.suggest(request(options.space, [...trials], options.batchSize, state, options.seed, options.direction))
    state = options.roundTrip ? JSON.parse(JSON.stringify(result.state)) : result.state
    batches.push([...result.architectures])
    for (const a of result.architectures) trials.push(trial(trials.length, a, 'Succeeded', options.objective(a)))
  }
  return { batches, state }
}

const FAST = { controller_hidden_size: '16', controller_train_steps: '5' }

describe('enas', () => {
  it('is registered as a NAS algorithm under Katib\'s name', () => {
    assert.equal(getNasAlgorithm('enas'), enasAlgorithm)
  })

  it('suggests architectures of Katib\'s shape: per layer an operation of the space and a 0/1 skip per earlier layer', async () => {
    const s = space(6, 5)
    const result = await create(FAST).suggest(request(s, [], 8, undefined))
    assert.equal(result.architectures.length, 8)
    for (const a of result.architectures) {
      assert.equal(a.length, 6)
      a.forEach((row, layer) => {
        assert.equal(row.length, layer + 1)
        assert.ok(Number.isInteger(row[0]) && row[0]! >= 0 && row[0]! < 5)
        for (const skip of row.slice(1)) assert.ok(skip === 0 || skip === 1)
      })
    }
    // A fresh controller is close to uniform: several operations and both skip values appear.
    assert.ok(new Set(result.architectures.flatMap((a) => a.map((row) => row[0]))).size >= 4)
    assert.deepEqual(new Set(result.architectures.flatMap((a) => a.flatMap((row) => row.slice(1)))), new Set([0, 1]))
  })

  it('gives the same architectures for the same seed and results, and others for another seed', async () => {
    const s = space(4, 6)
    const objective = matchReward([[1], [2, 1], [3, 0, 1], [4, 1, 0, 0]])
    const first = await runBatches({ suggester: create(FAST), space: s, batches: 5, batchSize: 3, seed: 11, objective })
    const again = await runBatches({ suggester: create(FAST), space: s, batches: 5, batchSize: 3, seed: 11, objective })
    const other = await runBatches({ suggester: create(FAST), space: s, batches: 5, batchSize: 3, seed: 12, objective })
    assert.deepEqual(again.batches, first.batches)
    assert.deepEqual(again.state, first.state)
    assert.notDeepEqual(other.batches, first.batches)
  })

  it('continues exactly after a JSON round trip of its state between every ask (a restarted server)', async () => {
    const s = space(5, 4)
    const objective = matchReward([[0], [1, 1], [2, 0, 1], [3, 1, 0, 0], [0, 0, 1, 1, 0]])
    const straight = await runBatches({ suggester: create(FAST), space: s, batches: 8, batchSize: 2, seed: 5, objective })
    // A new suggester per ask, as after a restart, fed the state as the database gives it back.
    const trials: ArchitectureTrial[] = []
    let state: unknown
    const restarted: Architecture[][] = []
    for (let b = 0; b < 8; b++) {
      const result = await create(FAST).suggest(request(s, [...trials], 2, state, 5))
      state = JSON.parse(JSON.stringify(result.state))
      restarted.push([...result.architectures])
      for (const a of result.architectures) trials.push(trial(trials.length, a, 'Succeeded', objective(a)))
    }
    assert.deepEqual(restarted, straight.batches)
    assert.deepEqual(state, JSON.parse(JSON.stringify(straight.state)))
    // The state did change as it learned: Adam took 5 steps per batch after the first.
    assert.equal((state as EnasStateJson).adamStep, 7 * 5)
  })

  it('starts its baseline at the first batch\'s mean reward, then moves it (1 - controller_baseline_decay) of the way per update', async () => {
    const s = space(3, 4)
    // No entropy bonus, so R is the objective itself; the log keeps the baseline of every update.
    const settings = { ...FAST, controller_train_steps: '2', controller_entropy_weight: 'None', controller_log_every_steps: '1', controller_baseline_decay: '0.999' }
    const suggester = create(settings)
    const first = await suggester.suggest(request(s, [], 3, undefined))
    const rewards = [0.8, 0.9, 0.85]
    const trials = first.architectures.map((a, n) => trial(n, a, 'Succeeded', rewards[n]))
    const second = await suggester.suggest(request(s, trials, 2, first.state))
    const firstMean = (0.8 + 0.9 + 0.85) / 3
    const logged = (state: unknown) => (state as EnasStateJson).log.map((entry) => entry.baseline)
    // Katib's baseline starts at 0 and would be at 0.00085 after the first update, so every one of these rewards would look good.
    assert.deepEqual(logged(second.state).map((b) => b.toFixed(12)), [firstMean, firstMean].map((b) => b.toFixed(12)))
    const more = second.architectures.map((a, i) => trial(3 + i, a, 'Succeeded', 0.1))
    const third = await suggester.suggest(request(s, [...trials, ...more], 1, second.state))
    const afterOne = firstMean - 0.001 * (firstMean - 0.1)
    const afterTwo = afterOne - 0.001 * (afterOne - 0.1)
    assert.deepEqual(logged(third.state).slice(2).map((b) => b.toFixed(12)), [afterOne, afterTwo].map((b) => b.toFixed(12)))
  })

  it('starts its baseline from the first batch that gives a reward, when the trials before it failed', async () => {
    const s = space(2, 3)
    const settings = { ...FAST, controller_train_steps: '1', controller_entropy_weight: 'None', controller_log_every_steps: '1' }
    const suggester = create(settings)
    const first = await suggester.suggest(request(s, [], 2, undefined))
    const failed = first.architectures.map((a, n) => trial(n, a, 'Failed'))
    const second = await suggester.suggest(request(s, failed, 2, first.state))
    assert.deepEqual((second.state as EnasStateJson).log, [])
    const succeeded = second.architectures.map((a, i) => trial(2 + i, a, 'Succeeded', 40 + i))
    const third = await suggester.suggest(request(s, [...failed, ...succeeded], 1, second.state))
    assert.deepEqual((third.state as EnasStateJson).log.map((entry) => entry.baseline), [40.5])
  })

  it('learns each finished trial once, however asks and results interleave', async () => {
    const s = space(3, 4)
    const suggester = create(FAST)
    const first = await suggester.suggest(request(s, [], 3, undefined))
    const [a0, a1, a2] = first.architectures as [Architecture, Architecture, Architecture]
    const stateOf = (value: unknown) => value as EnasStateJson

    // Nothing finished yet: asking again does not train.
    const running = [trial(0, a0, 'Running'), trial(1, a1, 'Pending'), trial(2, a2, 'Running')]
    const idle = await suggester.suggest(request(s, running, 1, first.state))
    assert.equal(stateOf(idle.state).adamStep, 0)
    assert.equal(stateOf(idle.state).weights, stateOf(first.state).weights)

    // Trial 1 succeeds out of order: one batch of one trial.
    const oneDone = [trial(0, a0, 'Running'), trial(1, a1, 'Succeeded', 0.5), trial(2, a2, 'Running'), trial(3, a0, 'Pending')]
    const afterOne = await suggester.suggest(request(s, oneDone, 1, idle.state))
    assert.equal(stateOf(afterOne.state).adamStep, 5)
    assert.equal(stateOf(afterOne.state).trialsLearned, 1)
    assert.deepEqual([stateOf(afterOne.state).learnedBelow, stateOf(afterOne.state).learned], [0, [1]])

    // The same results again (a parallel ask): no second training on trial 1.
    const repeat = await suggester.suggest(request(s, oneDone, 1, afterOne.state))
    assert.equal(stateOf(repeat.state).adamStep, 5)
    assert.equal(stateOf(repeat.state).weights, stateOf(afterOne.state).weights)

    // Trial 0 fails and trial 2 succeeds: only trial 2 is learned, trial 0 is counted as ignored.
    const allDone = [trial(0, a0, 'Failed'), trial(1, a1, 'Succeeded', 0.5), trial(2, a2, 'Succeeded', 0.9), trial(3, a0, 'Running')]
    const afterAll = await suggester.suggest(request(s, allDone, 1, repeat.state))
    assert.equal(stateOf(afterAll.state).adamStep, 10)
    assert.deepEqual(
      [stateOf(afterAll.state).trialsLearned, stateOf(afterAll.state).trialsIgnored, stateOf(afterAll.state).learnedBelow, stateOf(afterAll.state).learned],
      [2, 1, 3, []],
    )
  })

  it('ignores results it cannot use (no objective, NaN, an architecture outside the space) without failing', async () => {
    const s = space(3, 4)
    const suggester = create(FAST)
    const ok: Architecture = [[1], [2, 0], [3, 1, 1]]
    const trials = [
      trial(0, ok, 'Succeeded'),
      trial(1, ok, 'Succeeded', Number.NaN),
      trial(2, [[9], [2, 0], [3, 1, 1]], 'Succeeded', 1),
      trial(3, [[1], [2, 0]], 'Succeeded', 1),
      trial(4, [[1], [2, 2], [3, 1, 1]], 'Succeeded', 1),
      trial(5, ok, 'EarlyStopped'),
      trial(6, ok, 'MetricsUnavailable'),
      trial(7, ok, 'Killed'),
    ]
    const result = await suggester.suggest(request(s, trials, 2, undefined))
    assert.equal(result.architectures.length, 2)
    const state = result.state as EnasStateJson
    assert.deepEqual([state.trialsLearned, state.trialsIgnored, state.adamStep, state.learnedBelow], [0, 8, 0, 8])
  })

  it('starts afresh from a state it cannot use (garbage, or made for another space)', async () => {
    const s = space(3, 4)
    const fresh = await create(FAST).suggest(request(s, [], 2, undefined))
    for (const bad of [null, 42, 'x', { version: 1 }, { ...(fresh.state as object), weights: 'AAAA' }]) {
      const result = await create(FAST).suggest(request(s, [], 2, bad))
      assert.deepEqual(result.architectures, fresh.architectures)
    }
    const wider = await create(FAST).suggest(request(space(3, 5), [], 2, fresh.state))
    assert.equal((wider.state as EnasStateJson).numOperations, 5)
  })

  for (const [seed, direction] of [[1, 'maximize'], [2, 'minimize']] as const) {
    it(`learns a synthetic reward's best architecture (${direction})`, { timeout: 120_000 }, async () => {
      const L = 3
      const K = 3
      const s = space(L, K)
      const target: Architecture = [[1], [0, 1], [2, 0, 1]]
      const reward = matchReward(target)
      // What uniform sampling earns on average: each operation matches with 1/K, each skip with 1/2.
      const randomMean = 0.5 / K + 0.5 * 0.5
      const settings = { controller_hidden_size: '16', controller_learning_rate: '0.02', controller_baseline_decay: '0.9', controller_train_steps: '2' }
      const run = await runBatches({
        suggester: create(settings), space: s, batches: 100, batchSize: 4, seed, direction,
        objective: direction === 'maximize' ? reward : (a) => 1 - reward(a),
      })
      const meanReward = (batch: Architecture[]) => batch.reduce((sum, a) => sum + reward(a), 0) / batch.length
      const lastBatches = run.batches.slice(-5).flat()
      assert.ok(meanReward(lastBatches) > randomMean + 0.25, `mean reward of the last 5 batches ${meanReward(lastBatches)} against random's ${randomMean}`)

      const layout = controllerLayout(16, L, K)
      const options = enasOptions(parse(settings).settings)
      const config = { temperature: options.temperature, tanhConst: options.tanhConst, skipTarget: options.skipTarget }
      const start = decodeEnasState((await create(settings).suggest(request(s, [], 1, undefined, seed))).state, layout)!
      const end = decodeEnasState(run.state, layout)!
      const before = scoreArchitecture(start.weights, layout, config, target).logProb
      const after = scoreArchitecture(end.weights, layout, config, target).logProb
      assert.ok(after > before + 2 && after > Math.log(0.05), `log π(target) rose from ${before} to ${after}`)
    })
  }

  for (const target of [0.9, 0.1]) {
    it(`pulls the skip rate towards controller_skip_target ${target} when rewards say nothing`, async () => {
      const s = space(5, 3)
      // Equal rewards and a baseline that jumps to them: only the skip penalty moves the policy.
      const settings = { controller_hidden_size: '8', controller_learning_rate: '0.05', controller_baseline_decay: '0.01', controller_train_steps: '20', controller_skip_target: String(target), controller_skip_weight: '5' }
      const run = await runBatches({ suggester: create(settings), space: s, batches: 15, batchSize: 2, seed: 3, objective: () => 0.5 })
      const skipRate = (batches: Architecture[][]) => {
        const skips = batches.flat().flatMap((a) => a.flatMap((row) => row.slice(1)))
        return skips.reduce((n, x) => n + x, 0) / skips.length
      }
      // 40 architectures of 10 skips each, from a fresh controller and from the trained one.
      const fresh = skipRate([[...(await create(settings).suggest(request(s, [], 40, undefined, 9))).architectures]])
      const trained = skipRate([[...(await create(settings).suggest(request(s, [], 40, run.state, 9))).architectures]])
      assert.ok(Math.abs(fresh - 0.5) < 0.1, `a fresh controller skips about half the time (${fresh})`)
      assert.ok(target > 0.5 ? trained > 0.8 : trained < 0.2, `after training the skip rate is ${trained}`)
    })
  }

  describe('settings', () => {
    it('has Katib\'s defaults', () => {
      assert.deepEqual(parse({}).settings, {
        controller_hidden_size: 64, controller_temperature: 5, controller_tanh_const: 2.25, controller_entropy_weight: 1e-5,
        controller_baseline_decay: 0.999, controller_learning_rate: 5e-5, controller_skip_target: 0.4, controller_skip_weight: 0.8,
        controller_train_steps: 50, controller_log_every_steps: 10,
      })
    })

    it('accepts None where Katib does, and turns the term off', () => {
      const parsed = parse({ controller_temperature: 'None', controller_tanh_const: 'None', controller_entropy_weight: 'None', controller_skip_weight: 'None' })
      assert.deepEqual(parsed.issues, [])
      const options = enasOptions(parsed.settings)
      assert.deepEqual([options.temperature, options.tanhConst, options.entropyWeight, options.skipWeight], [null, null, null, null])
    })

    it('refuses what Katib refuses, saying what is accepted', () => {
      const messages = (settings: Record<string, string>) => parse(settings).issues.map((i) => i.message)
      assert.deepEqual(messages({ controller_hidden_size: 'None' }), ['setting "controller_hidden_size" must be an integer >= 1 and <= 256, got "None"'])
      assert.deepEqual(messages({ controller_learning_rate: '0' }), ['setting "controller_learning_rate" must be a number > 0 and <= 1, got "0"'])
      assert.deepEqual(messages({ controller_baseline_decay: '1.5' }), ['setting "controller_baseline_decay" must be a number > 0 and <= 1, got "1.5"'])
      assert.deepEqual(messages({ controller_skip_target: 'None' }), ['setting "controller_skip_target" must be a number > 0 and <= 1, got "None"'])
      assert.deepEqual(messages({ controller_temperature: '0' }), ['setting "controller_temperature" must be a number > 0, or None, got "0"'])
      assert.deepEqual(messages({ controller_train_steps: '0' }), ['setting "controller_train_steps" must be an integer >= 1 and <= 10000, got "0"'])
      assert.deepEqual(messages({ controller_log_every_steps: '2.5' }), ['setting "controller_log_every_steps" must be an integer >= 1, got "2.5"'])
      assert.match(messages({ controller_hiden_size: '32' })[0]!, /unknown setting "controller_hiden_size" for algorithm "enas"; did you mean "controller_hidden_size"\?/)
      assert.deepEqual(parse({ controller_baseline_decay: '1', controller_learning_rate: '1', controller_skip_target: '1' }).issues, [])
    })

    it('refuses a skip target of 1 while the skip penalty is on, and says how to fix it', () => {
      const check = (settings: Record<string, string>, layers = 3) => enasAlgorithm.check!(space(layers, 4), parse(settings).settings, { parallelTrialCount: 1 })
      assert.match(check({ controller_skip_target: '1' })[0]!.message, /infinite.*below 1.*controller_skip_weight to None/)
      assert.deepEqual(check({ controller_skip_target: '1', controller_skip_weight: 'None' }), [])
      assert.deepEqual(check({ controller_skip_target: '1' }, 1), [])
      assert.deepEqual(check({}), [])
    })
  })
})
