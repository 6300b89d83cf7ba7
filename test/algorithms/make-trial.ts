import { createRng } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import type { SuggestRequest } from '../../algorithms/suggester.ts'

/** A trial with sensible defaults; succeeded trials get `number` as objective unless overridden. */
export function makeTrial(number: number, params: Params, overrides: Partial<TrialSnapshot> = {}): TrialSnapshot {
  const state = overrides.state ?? 'Succeeded'
  return {
    id: `trial-id-${number}`,
    number,
    name: `trial-${number}`,
    state,
    params,
    ...(state === 'Succeeded' ? { objective: number } : {}),
    createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, number)),
    ...overrides,
  }
}

/** Past parameter sets as trials, numbered in order. */
export function trialsFrom(paramsList: readonly Params[], overrides: Partial<TrialSnapshot> = {}): TrialSnapshot[] {
  return paramsList.map((params, i) => makeTrial(i, params, overrides))
}

export function makeRequest(space: SearchSpace, options: Partial<Omit<SuggestRequest, 'rng'>> & { seed?: number } = {}): SuggestRequest {
  return {
    space,
    direction: options.direction ?? 'minimize',
    trials: options.trials ?? [],
    count: options.count ?? 1,
    rng: createRng(options.seed ?? 1),
    state: options.state,
  }
}
