import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { TunewellError } from '../../core/errors.ts'
import { createRng } from '../../core/rng.ts'
import type { SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot, TrialState } from '../../core/trial.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import type { AskRequest } from '../../suggestion/ask-algorithm.ts'
import { SuggestionWorkerPool } from '../../suggestion/suggestion-worker-pool.ts'

const SPACE: SearchSpace = [
  { name: 'x', type: 'double', min: -5, max: 5, distribution: 'uniform' },
  { name: 'lr', type: 'double', min: 1e-4, max: 1, distribution: 'logUniform' },
  { name: 'n', type: 'int', min: 1, max: 8, distribution: 'uniform' },
  { name: 'k', type: 'categorical', choices: ['a', 'b', 'c'] },
]

/** `n` trials, mostly Succeeded, a few Failed and one Running, with Date fields like the store's. */
function history(n: number, seed = 11): TrialSnapshot[] {
  const rng = createRng(seed)
  return Array.from({ length: n }, (_, i): TrialSnapshot => {
    const x = rng.next() * 10 - 5
    const lr = 10 ** (rng.next() * 4 - 4)
    const params = { x, lr, n: 1 + rng.int(8), k: ['a', 'b', 'c'][rng.int(3)]! }
    const state: TrialState = i === n - 1 ? 'Running' : i % 7 === 3 ? 'Failed' : 'Succeeded'
    const createdAt = new Date(Date.UTC(2025, 0, 1, 0, i))
    return {
      id: `id-${i}`, number: i, name: `t-${i}`, state, params, createdAt,
      ...(state === 'Succeeded' ? { objective: x * x + Math.log10(lr) ** 2, finishedAt: new Date(createdAt.getTime() + 30_000) } : {}),
      ...(state === 'Failed' ? { finishedAt: new Date(createdAt.getTime() + 5_000) } : {}),
    }
  })
}

function request(algorithmName: string, trials: readonly TrialSnapshot[], extra: Partial<AskRequest> = {}): AskRequest {
  return { algorithmName, settings: [], space: SPACE, direction: 'minimize', trials, count: 2, seed: 1234, state: undefined, ...extra }
}

const fixture = new URL('../fixtures/suggestion/crashing-worker.mjs', import.meta.url)

describe('SuggestionWorkerPool', () => {
  it('answers exactly what askAlgorithm answers in this thread, state carried across asks', async () => {
    // Nothing in-process: random goes through the worker too.
    const pool = new SuggestionWorkerPool({ inProcess: new Set() })
    try {
      const trials = history(14)
      const cases: [string, AskRequest['settings']][] = [
        ['random', []],
        ['tpe', [{ name: 'n_startup_trials', value: '5' }]],
        ['cmaes', []],
        ['bayesianoptimization', [{ name: 'n_initial_points', value: '5' }]],
      ]
      for (const [name, settings] of cases) {
        const first = request(name, trials, { settings })
        const local = await askAlgorithm(first)
        const remote = await pool.ask(first)
        assert.deepEqual(remote, local, name)
        assert.equal(remote.suggestions.length, 2, name)
        // The next ask, fed the previous state (as the service does from the database).
        const second = { ...first, trials: history(17), state: JSON.parse(JSON.stringify(local.state)) as unknown }
        assert.deepEqual(await pool.ask(second), await askAlgorithm(second), `${name}, second ask`)
      }
      assert.equal(pool.workerCount, 1)
    } finally {
      await pool.close()
    }
  })

  it('answers light algorithms in this thread without starting a worker', async () => {
    const pool = new SuggestionWorkerPool()
    try {
      const space: SearchSpace = [
        { name: 'x', type: 'double', min: 0, max: 1, step: 0.25, distribution: 'uniform' },
        { name: 'k', type: 'categorical', choices: ['a', 'b'] },
      ]
      for (const name of ['random', 'grid', 'sobol']) {
        const r = request(name, [], { space })
        assert.deepEqual(await pool.ask(r), await askAlgorithm(r), name)
      }
      assert.equal(pool.workerCount, 0)
    } finally {
      await pool.close()
    }
  })

  it('keeps the event loop turning while a slow fit runs in the worker', async () => {
    const pool = new SuggestionWorkerPool()
    try {
      const slow = request('bayesianoptimization', history(150), { count: 1 })
      await pool.ask(request('bayesianoptimization', history(20), { count: 1 })) // start the worker, warm its JIT
      let ticks = 0
      let last = performance.now()
      let longestGap = 0
      const timer = setInterval(() => {
        const now = performance.now()
        longestGap = Math.max(longestGap, now - last)
        last = now
        ticks++
      }, 2)
      const started = performance.now()
      let result
      try {
        result = await pool.ask(slow)
      } finally {
        clearInterval(timer)
      }
      const elapsed = performance.now() - started
      assert.equal(result.suggestions.length, 1)
      // In this thread the fit would run as one synchronous block: no tick at all until it ends.
      assert.ok(ticks >= 5, `only ${ticks} ticks in ${elapsed.toFixed(0)} ms`)
      assert.ok(longestGap < Math.max(50, elapsed / 2), `the loop stalled ${longestGap.toFixed(0)} ms of ${elapsed.toFixed(0)} ms`)
    } finally {
      await pool.close()
    }
  })

  it('rejects with the algorithm\'s error, code kept, and goes on answering', async () => {
    const pool = new SuggestionWorkerPool()
    try {
      await assert.rejects(pool.ask(request('nope', history(3))), (error: unknown) => {
        assert.ok(error instanceof TunewellError)
        assert.equal(error.code, 'ALGORITHM_SETTINGS_INVALID')
        assert.match(error.message, /unknown algorithm "nope"/)
        return true
      })
      // A request that cannot cross threads fails alone.
      await assert.rejects(pool.ask(request('tpe', history(3), { state: () => 1 })), /cannot send the suggestion request/)
      const r = request('tpe', history(6))
      assert.deepEqual(await pool.ask(r), await askAlgorithm(r))
      assert.equal(pool.workerCount, 1)
    } finally {
      await pool.close()
    }
  })

  it('rejects the request a crashing worker was running and replaces the worker', async () => {
    const pool = new SuggestionWorkerPool({ workerUrl: fixture })
    try {
      const r = request('cmaes', history(6))
      const expected = await askAlgorithm(r)
      await assert.rejects(pool.ask(request('crash', [])), /the suggestion worker crashed: boom: crashed on purpose/)
      assert.equal(pool.workerCount, 0)
      assert.deepEqual(await pool.ask(r), expected)
      await assert.rejects(pool.ask(request('exit', [])), /the suggestion worker exited with code 7/)
      // Requests queued behind the one that killed the worker are served by its replacement.
      const [killed, queued] = await Promise.allSettled([pool.ask(request('crash', [])), pool.ask(r)])
      assert.equal(killed.status, 'rejected')
      assert.deepEqual(queued.status === 'fulfilled' ? queued.value : queued.reason, expected)
      assert.equal(pool.workerCount, 1)
    } finally {
      await pool.close()
    }
  })

  it('close() terminates the workers and rejects what is running and what comes later', async () => {
    const pool = new SuggestionWorkerPool({ size: 2 })
    await Promise.all([pool.ask(request('tpe', history(6))), pool.ask(request('cmaes', history(6)))])
    assert.equal(pool.workerCount, 2)
    const running = assert.rejects(pool.ask(request('bayesianoptimization', history(40), { count: 1 })), /closed/)
    await pool.close()
    await running
    assert.equal(pool.workerCount, 0)
    await assert.rejects(pool.ask(request('tpe', history(6))), /closed/)
  })

  it('never keeps a process alive once its requests are answered', () => {
    const poolModule = fileURLToPath(new URL('../../suggestion/suggestion-worker-pool.ts', import.meta.url))
    const script = `
      const { SuggestionWorkerPool } = await import(${JSON.stringify(poolModule)})
      const pool = new SuggestionWorkerPool()
      const space = [{ name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' }]
      const r = await pool.ask({ algorithmName: 'tpe', settings: [], space, direction: 'minimize', trials: [], count: 1, seed: 1, state: undefined })
      console.log('asked', r.suggestions.length, pool.workerCount)
    `
    // No close(): the process must still end on its own, with the idle worker alive.
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 })
    assert.equal(child.signal, null, `the process did not exit: ${child.stderr}`)
    assert.equal(child.status, 0, child.stderr)
    assert.match(child.stdout, /asked 1 1/)
  })
})
