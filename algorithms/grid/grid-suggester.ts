/**
 * Grid search, as Katib's `grid` (Optuna's GridSampler over Katib's value lists, see
 * `grid-points.ts`).
 *
 * Deviations from Katib:
 * - Points come in a fixed order (first parameter slowest) instead of Optuna's seeded shuffle,
 *   so a grid run is reproducible and readable; `random_state` is accepted and ignored.
 * - Stateless: the next points are the first ones no trial has used, whatever that trial's
 *   state. A failed point is therefore not retried (a retry would usually fail again, and
 *   would loop forever on a point that always fails); rerun the experiment to retry.
 * - When the grid runs out we return fewer points and `exhausted: true`, so the experiment
 *   completes. Katib cannot end on an exhausted space (it never emits SuggestionEndReached) and
 *   instead rejects maxTrialCount > combinations; we accept it.
 * - Distributions are ignored, as in Optuna: a grid is a grid.
 */
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { AlgorithmDefinition } from '../algorithm-definition.ts'
import { paramsKey } from '../params-key.ts'
import { samplingSpaceIssues } from '../sampling-space-issues.ts'
import type { SuggestRequest, SuggestResult, Suggester } from '../suggester.ts'
import { gridPoints } from './grid-points.ts'
import type { GridPoints } from './grid-points.ts'
import { randomStateSetting } from '../seed-from-settings.ts'

export type GridSettings = { readonly random_state?: number }

export class GridSuggester implements Suggester {
  suggest(request: SuggestRequest): SuggestResult {
    const grid = gridPoints(request.space)
    if (!grid) throw new RangeError(gridIssues(request.space).map((i) => i.message).join('; '))
    const used = new Set(request.trials.map((t) => paramsKey(request.space, t.params)))
    // Each skipped point is a distinct used key, so this walks at most trials + count + 1 points.
    const unused = unusedPoints(request.space, grid, used)
    const suggestions: Params[] = []
    while (suggestions.length < request.count) {
      const next = unused.next()
      if (next.done) return { suggestions, exhausted: true }
      suggestions.push(next.value)
    }
    return { suggestions, exhausted: unused.next().done === true }
  }
}

function* unusedPoints(space: SearchSpace, grid: GridPoints, used: ReadonlySet<string>): Generator<Params> {
  for (let index = 0; index < grid.size; index++) {
    const point = grid.pointAt(index)
    if (!used.has(paramsKey(space, point))) yield point
  }
}

function gridIssues(space: SearchSpace) {
  const issues = samplingSpaceIssues(space, { ignoreDistribution: true })
  for (const p of space) {
    if (p.type === 'double' && p.step === undefined) {
      issues.push({ parameter: p.name, field: '/feasibleSpace/step', message: `grid needs feasibleSpace.step on double parameter "${p.name}"` })
    }
  }
  if (issues.length === 0 && gridPoints(space)?.size === 0) {
    issues.push({ message: 'the grid has no points; widen [min, max] or add values' })
  }
  return issues
}

export const gridAlgorithm: AlgorithmDefinition<GridSettings> = {
  name: 'grid',
  // It never reads objectives, so any number of them is fine.
  multiObjective: true,
  description: 'Every combination of the parameter values, in order; ends when all are used.',
  settings: [randomStateSetting('Accepted for Katib compatibility; the grid order does not depend on it.')],
  // maxTrialCount above the grid size is fine: the experiment completes when the grid is used up.
  check: (space) => gridIssues(space),
  create: () => new GridSuggester(),
}
