import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hypervolume } from '../../ui/src/hypervolume.ts'
import { hypervolumeHistory } from '../../ui/src/hypervolume-history.ts'
import { defaultReference, objectiveOutcomes } from '../../ui/src/objective-outcomes.ts'
import { objectivesInfo, parseConstraint } from '../../ui/src/objectives-info.ts'
import { dominates, paretoFront } from '../../ui/src/pareto-front.ts'
import { readViolations, type TrialRow } from '../../ui/src/trial-row.ts'

/** A small seeded generator, so the brute-force comparisons below are the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

test('dominance: no worse everywhere and better somewhere', () => {
  assert.equal(dominates([1, 2], [2, 2]), true)
  assert.equal(dominates([1, 2], [1, 2]), false)
  assert.equal(dominates([1, 3], [2, 2]), false)
  assert.equal(dominates([0, 0, 0], [0, 0, 1]), true)
})

test('the front is every point nothing dominates, equal points included, as brute force finds it', () => {
  assert.deepEqual(paretoFront([[1, 5], [2, 2], [3, 3], [5, 1], [2, 2], [4, 4]]), [0, 1, 3, 4])
  const next = random(7)
  for (const d of [2, 3, 4]) {
    // Rounded values make ties and equal points common.
    const points = Array.from({ length: 200 }, () => Array.from({ length: d }, () => Math.round(next() * 8)))
    const brute = points.map((_, i) => i).filter((i) => !points.some((q) => dominates(q, points[i]!)))
    assert.deepEqual(paretoFront(points), brute, `${d} objectives`)
  }
})

test('hypervolume: boxes added by hand in 2 and 3 dimensions; points outside the reference add nothing', () => {
  // Staircase of (1,3), (2,2), (3,1) against (4,4): 3 + 2 + 1 unit columns = 6.
  assert.equal(hypervolume([[1, 3], [2, 2], [3, 1]], [4, 4]), 6)
  assert.equal(hypervolume([[1, 3], [2, 2], [3, 1], [3, 3], [5, 0]], [4, 4]), 6)
  assert.equal(hypervolume([[4, 1]], [4, 4]), 0, 'on the reference is not inside it')
  assert.equal(hypervolume([], [1, 1]), 0)
  // Two boxes [0,2]x[0,1]x[0,1] and [0,1]x[0,2]x[0,1] below (2,2,1) from (0,0,0): 2 + 2 - 1 = 3.
  assert.equal(hypervolume([[0, 1, 0], [1, 0, 0]], [2, 2, 1]), 3)
  assert.equal(hypervolume([[0.5, 0.5, 0.5]], [1, 1, 1]), 0.125)
})

test('hypervolume in 3 and 4 dimensions agrees with counting the cells of a grid', () => {
  const next = random(11)
  for (const d of [3, 4]) {
    const size = 5
    const reference = Array.from({ length: d }, () => size)
    const points = Array.from({ length: 12 }, () => Array.from({ length: d }, () => Math.floor(next() * size)))
    // Each unit cell (its lower corner c) is dominated when some point is <= c in every coordinate.
    let cells = 0
    const corner = Array.from({ length: d }, () => 0)
    for (let k = 0; k < size ** d; k++) {
      let rest = k
      for (let i = 0; i < d; i++) { corner[i] = rest % size; rest = Math.floor(rest / size) }
      if (points.some((p) => p.every((v, i) => v <= corner[i]!))) cells++
    }
    assert.equal(hypervolume(points, reference), cells, `${d} objectives`)
  }
})

test('the history is the hypervolume of the first n points, recomputed only when the front changes', () => {
  const next = random(3)
  const points = Array.from({ length: 60 }, () => [next(), next(), next()])
  const reference = [1, 1, 1]
  const history = hypervolumeHistory(points, reference).map((h) => h.hypervolume)
  assert.equal(history.length, 60)
  for (const n of [1, 7, 30, 60]) assert.ok(Math.abs(history[n - 1]! - hypervolume(points.slice(0, n), reference)) < 1e-12, `after ${n}`)
  for (let i = 1; i < history.length; i++) assert.ok(history[i]! >= history[i - 1]!, 'never decreases')
  // Checkpoints: every 7th point and the last, with the same volumes.
  const sparse = hypervolumeHistory(points, reference, 9)
  assert.deepEqual(sparse.map((h) => h.index), [6, 13, 20, 27, 34, 41, 48, 55, 59])
  for (const h of sparse) assert.ok(Math.abs(h.hypervolume - history[h.index]!) < 1e-12)
})

test('objectives and constraints from the spec, by the contract\'s rules', () => {
  const info = objectivesInfo({ spec: { objective: {
    type: 'maximize', objectiveMetricName: 'accuracy',
    objectives: [{ metric: 'accuracy', direction: 'Maximize' }, { metric: 'latency_ms', direction: 'Minimize' }],
    constraints: ['latency_ms <= 50', 'memory_mb>=1e2'],
  } } })
  assert.deepEqual(info.objectives, [{ metric: 'accuracy', direction: 'maximize' }, { metric: 'latency_ms', direction: 'minimize' }])
  assert.equal(info.multi, true)
  assert.deepEqual(info.constraints.map((c) => [c.metric, c.op, c.bound]), [['latency_ms', '<=', 50], ['memory_mb', '>=', 100]])
  const alone = objectivesInfo({ spec: { objective: { objectives: [{ metric: 'a', direction: 'maximize' }, { metric: 'b', direction: 'minimize' }] } } })
  assert.deepEqual(alone.objectives.map((o) => o.metric), ['a', 'b'])
  assert.equal(objectivesInfo({ spec: { objective: { type: 'minimize', objectiveMetricName: 'loss' } } }).multi, false)
  // The server's lists win over the spec.
  assert.deepEqual(objectivesInfo({ objectives: [{ metric: 'x', direction: 'maximize' }, { metric: 'y', direction: 'minimize' }], constraints: [], spec: {} }).objectives.map((o) => o.direction), ['maximize', 'minimize'])
  assert.equal(parseConstraint('latency < 3'), undefined)
})

const row = (number: number, metrics: Record<string, number | null>, extra: Partial<TrialRow> = {}): TrialRow => ({
  name: `t-${number}`, number, state: 'Succeeded', objective: metrics.accuracy ?? null, params: {}, metrics,
  startedMs: 0, finishedMs: 1000 + number, message: null, ...extra,
})

test('outcomes: infeasible trials are never on the front, maximised objectives are negated, the reference is worst + 10% of the range', () => {
  const info = objectivesInfo({ spec: { objective: {
    type: 'maximize', objectiveMetricName: 'accuracy', objectives: [{ metric: 'latency_ms', direction: 'minimize' }], constraints: ['latency_ms <= 50'],
  } } })
  const trials = [
    row(0, { accuracy: 0.9, latency_ms: 40 }),
    row(1, { accuracy: 0.8, latency_ms: 20 }),
    row(2, { accuracy: 0.99, latency_ms: 80 }), // best accuracy, but breaks the constraint
    row(3, { accuracy: 0.7, latency_ms: 30 }), // dominated by trial 1
    row(4, { accuracy: 0.95, latency_ms: null }), // latency never reported: infeasible
    row(5, { accuracy: 0.6, latency_ms: 10 }, { state: 'Running' }),
  ]
  const outcomes = objectiveOutcomes(trials, info)
  assert.deepEqual(outcomes.scored.map((o) => o.trial.number), [0, 1, 2, 3], 'a trial without every objective, or still running, is not scored')
  assert.deepEqual(outcomes.front.map((o) => o.trial.number), [0, 1])
  assert.deepEqual(outcomes.byName.get('t-2')!.violations, [{ text: 'latency_ms <= 50', amount: 30 }])
  assert.equal(outcomes.byName.get('t-3')!.onFront, false)
  // Feasible minimised points: (-0.9, 40), (-0.8, 20), (-0.7, 30); worst -0.7 and 40, ranges 0.2 and 20.
  assert.ok(Math.abs(outcomes.reference![0]! - -0.68) < 1e-12 && outcomes.reference![1] === 42)
  const last = outcomes.history.at(-1)!
  assert.equal(outcomes.history.length, 4)
  assert.ok(Math.abs(last.hypervolume - hypervolume([[-0.9, 40], [-0.8, 20]], outcomes.reference!)) < 1e-12)
  // The server's front and reference point, when sent, are used as they are.
  const server = objectiveOutcomes(trials, info, { paretoFront: ['t-1'], referencePoint: [1, 100] })
  assert.deepEqual(server.front.map((o) => o.trial.name), ['t-1'])
  assert.deepEqual(server.reference, [-1, 100])
  assert.deepEqual(defaultReference([]), undefined)
  // One value only: 10% of its magnitude, so that point adds volume (as on the server).
  assert.deepEqual(defaultReference([[-2, 0], [-2, 0]]), [-1.8, 1e-9])
})

test('outcomes: the server\'s values, feasibility and violations replace what the metrics say', () => {
  const info = objectivesInfo({ objectives: [{ metric: 'a', direction: 'minimize' }, { metric: 'b', direction: 'minimize' }], constraints: ['c <= 1'], spec: {} })
  const trials = [
    row(0, { a: 5, b: 5 }, { values: [1, 2], feasible: true, violations: [] }),
    row(1, { a: 0, b: 0 }, { values: [2, 1], feasible: false, violations: [{ text: 'c <= 1', amount: 2 }] }),
  ]
  const outcomes = objectiveOutcomes(trials, info)
  assert.deepEqual(outcomes.scored.map((o) => o.values), [[1, 2], [2, 1]])
  assert.deepEqual(outcomes.front.map((o) => o.trial.number), [0])
  assert.equal(outcomes.byName.get('t-1')!.violations[0]!.text, 'c <= 1')
})

test('the server\'s violations: by constraint, a null violation being a metric never reported', () => {
  assert.deepEqual(readViolations([{ constraint: 'latency_ms <= 50', violation: 30 }, { constraint: 'memory_mb <= 2048', violation: null }]), [
    { text: 'latency_ms <= 50', amount: 30 }, { text: 'memory_mb <= 2048', amount: Infinity },
  ])
  assert.deepEqual(readViolations([]), [])
  assert.equal(readViolations(undefined), undefined)
})
