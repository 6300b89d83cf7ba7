import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import { pbtAlgorithm } from '../../algorithms/pbt/pbt-definition.ts'
import { exploreParams } from '../../algorithms/pbt/explore-params.ts'
import type { PbtSuggester } from '../../algorithms/pbt/pbt-suggester.ts'
import type { SuggestResult } from '../../algorithms/suggester.ts'
import { makeRequest, makeTrial } from './make-trial.ts'

const SPACE: SearchSpace = [
  { name: 'lr', type: 'double', min: 0.001, max: 1, distribution: 'logUniform' },
  { name: 'layers', type: 'int', min: 1, max: 10, distribution: 'uniform' },
]
const create = (settings: Record<string, string> = {}): PbtSuggester =>
  pbtAlgorithm.create(parseSettings(pbtAlgorithm, Object.entries({ n_population: '5', truncation_threshold: '0.4', ...settings }).map(([name, value]) => ({ name, value }))).settings) as PbtSuggester

/** Runs asks like SuggestionService does: trials numbered in order, state fed back. */
class Experiment {
  readonly trials: TrialSnapshot[] = []
  state: unknown
  readonly suggester: PbtSuggester
  constructor(settings: Record<string, string> = {}) {
    this.suggester = create(settings)
  }

  ask(count: number): SuggestResult {
    const result = this.suggester.suggest(makeRequest(SPACE, { trials: this.trials, count, seed: this.trials.length, state: this.state }))
    this.state = JSON.parse(JSON.stringify(result.state))
    result.suggestions.forEach((params) => this.trials.push(makeTrial(this.trials.length, params, { state: 'Running', name: `t${this.trials.length}` })))
    return result
  }

  finish(number: number, objective: number | null): void {
    const t = this.trials[number]!
    this.trials[number] = { ...t, state: objective === null ? 'Failed' : 'Succeeded', ...(objective === null ? {} : { objective }), finishedAt: new Date(Date.UTC(2024, 1, 1, 0, 0, this.trials.length + number)) }
  }
}

describe('pbt (Jaderberg et al. 2017)', () => {
  it('starts n_population members from random parameters, without parents, then waits', () => {
    const e = new Experiment()
    const first = e.ask(8)
    assert.equal(first.suggestions.length, 5)
    assert.equal(first.waiting, true)
    assert.equal(first.exhausted, undefined)
    assert.deepEqual(first.parents, [null, null, null, null, null])
    assert.equal(e.ask(3).suggestions.length, 0, 'every member is still training')
  })

  it('a member in the bottom exploits a top member (its checkpoint as parent) and explores; the others continue their own', () => {
    const e = new Experiment()
    e.ask(5)
    // lower is better: t0 best, t4 worst; cut = floor(5 · 0.4) = 2
    ;[0.1, 0.2, 0.3, 0.4, 0.5].forEach((v, i) => e.finish(i, v))
    const next = e.ask(5)
    assert.equal(next.suggestions.length, 5)
    const parents = next.parents!
    // Oldest finished first: t0, t1, t2 continue themselves with the same parameters.
    for (let i = 0; i < 3; i++) {
      assert.equal(parents[i], `t${i}`)
      assert.deepEqual(next.suggestions[i], e.trials[i]!.params)
    }
    // t3 and t4 are the bottom two: each copies t0 or t1, perturbed.
    for (const i of [3, 4]) {
      const source = e.trials.find((t) => t.name === parents[i])!
      assert.ok(['t0', 't1'].includes(source.name), parents[i]!)
      const lr = next.suggestions[i]!.lr as number
      const ratio = lr / (source.params.lr as number)
      assert.ok(Math.abs(ratio - 0.8) < 1e-9 || Math.abs(ratio - 1.2) < 1e-9 || lr === 0.001 || lr === 1, `lr ${lr} from ${source.params.lr}`)
      assert.notDeepEqual(next.suggestions[i], source.params)
    }
  })

  it('maximising ranks the other way', () => {
    const e = new Experiment()
    e.ask(5)
    ;[0.1, 0.2, 0.3, 0.4, 0.5].forEach((v, i) => e.finish(i, v))
    const result = create().suggest(makeRequest(SPACE, { trials: e.trials, count: 5, seed: 1, state: e.state, direction: 'maximize' }))
    assert.deepEqual(result.parents!.slice(2), ['t2', 't3', 't4'])
    assert.ok(['t3', 't4'].includes(result.parents![0]!) && ['t3', 't4'].includes(result.parents![1]!))
  })

  it('a failed member restarts from a top member, or from fresh parameters while there is none', () => {
    const e = new Experiment()
    e.ask(5)
    e.finish(0, null)
    const alone = e.ask(1)
    assert.deepEqual(alone.parents, [null], 'nobody to copy yet: fresh parameters, no checkpoint')
    assert.notDeepEqual(alone.suggestions[0], e.trials[0]!.params)
    ;[0.1, 0.2, 0.3, 0.4].forEach((v, i) => e.finish(i + 1, v))
    e.finish(5, null)
    const copied = e.ask(5)
    assert.ok(copied.parents!.includes('t1') || copied.parents!.includes('t2'))
  })

  it('is deterministic, and a suggestion that never became a trial is suggested again as it was', () => {
    const a = new Experiment()
    const b = new Experiment()
    assert.deepEqual(a.ask(5), b.ask(5))
    const lost = create().suggest(makeRequest(SPACE, { trials: a.trials.slice(0, 3), count: 5, seed: 3, state: a.state }))
    assert.equal(lost.suggestions.length, 0, 'trial numbers 3 and 4 may still come')
  })

  it('explores ints by at least one step and resamples with resample_probability 1', () => {
    const rng = createRng(4)
    for (let i = 0; i < 20; i++) {
      const out = exploreParams(SPACE, { lr: 0.1, layers: 2 }, 0, rng)
      assert.ok(out.layers === 1 || out.layers === 3, String(out.layers))
      assert.ok(Math.abs((out.lr as number) - 0.08) < 1e-12 || Math.abs((out.lr as number) - 0.12) < 1e-12, String(out.lr))
    }
    const categorical: SearchSpace = [{ name: 'opt', type: 'categorical', choices: ['a', 'b', 'c', 'd'] }]
    assert.deepEqual(exploreParams(categorical, { opt: 'b' }, 0, rng), { opt: 'b' })
    const seen = new Set<Params[string]>()
    for (let i = 0; i < 40; i++) seen.add(exploreParams(categorical, { opt: 'b' }, 1, rng).opt!)
    assert.equal(seen.size, 4)
  })

  it('rejects a population under 5 and a truncation threshold outside (0, 0.5]', () => {
    assert.match(parseSettings(pbtAlgorithm, [{ name: 'n_population', value: '4' }]).issues[0]!.message, /n_population/)
    assert.match(parseSettings(pbtAlgorithm, [{ name: 'truncation_threshold', value: '0' }]).issues[0]!.message, /truncation_threshold/)
    assert.match(parseSettings(pbtAlgorithm, [{ name: 'truncation_threshold', value: '0.6' }]).issues[0]!.message, /truncation_threshold/)
  })
})
