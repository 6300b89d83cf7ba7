import { test } from 'node:test'
import assert from 'node:assert/strict'
import { planExperiment, type PlanInput } from '../../lifecycle/plan.ts'
import type { TrialState } from '../../core/trial.ts'

const zero: Record<TrialState, number> = { Pending: 0, Running: 0, Succeeded: 0, Failed: 0, Killed: 0, EarlyStopped: 0, MetricsUnavailable: 0 }
const input = (over: Partial<Omit<PlanInput, 'counts'>> & { counts?: Partial<Record<TrialState, number>> }): PlanInput => ({
  parallelTrialCount: 3, direction: 'minimize', exhausted: false, ...over, counts: { ...zero, ...over.counts },
})

test('plan: Katib trial arithmetic, goal, failure budget, max trials, exhaustion', () => {
  const cases: { name: string; in: PlanInput; out: ReturnType<typeof planExperiment> }[] = [
    { name: 'fresh experiment fills parallelism', in: input({ maxTrialCount: 12 }), out: { kind: 'continue', add: 3 } },
    { name: 'running trials occupy slots', in: input({ maxTrialCount: 12, counts: { Running: 2 } }), out: { kind: 'continue', add: 1 } },
    { name: 'pending counts as active', in: input({ maxTrialCount: 12, counts: { Pending: 1, Running: 2 } }), out: { kind: 'continue', add: 0 } },
    { name: 'near the budget adds only what is left', in: input({ maxTrialCount: 5, counts: { Succeeded: 3, Running: 1 } }), out: { kind: 'continue', add: 1 } },
    { name: 'never more than the budget', in: input({ maxTrialCount: 5, counts: { Succeeded: 3, Running: 2 } }), out: { kind: 'continue', add: 0 } },
    { name: 'budget minus completed bounds creation', in: input({ maxTrialCount: 5, counts: { Succeeded: 3 } }), out: { kind: 'continue', add: 2 } },
    { name: 'MetricsUnavailable counts as completed (Katib over-creates here)', in: input({ maxTrialCount: 4, counts: { Succeeded: 2, MetricsUnavailable: 1 } }), out: { kind: 'continue', add: 1 } },
    { name: 'unbounded experiment keeps parallelism', in: input({ counts: { Succeeded: 100, Running: 1 } }), out: { kind: 'continue', add: 2 } },
    {
      name: 'goal reached (minimize)', in: input({ maxTrialCount: 12, goal: 0.1, best: 0.05, counts: { Succeeded: 1, Running: 2 } }),
      out: { kind: 'complete', completion: { state: 'Succeeded', reason: 'ExperimentGoalReached', message: 'objective 0.05 reached the goal 0.1' } },
    },
    { name: 'goal not reached (maximize)', in: input({ direction: 'maximize', goal: 0.9, best: 0.8, counts: { Succeeded: 1 } }), out: { kind: 'continue', add: 3 } },
    // Katib's status_util: failed > maxFailedTrialCount, so reaching the limit is still tolerated.
    {
      name: 'failures reaching maxFailedTrialCount are tolerated', in: input({ maxTrialCount: 12, maxFailedTrialCount: 2, counts: { Failed: 1, MetricsUnavailable: 1 } }),
      out: { kind: 'continue', add: 3 },
    },
    {
      name: 'failures exceeding maxFailedTrialCount fail it (MetricsUnavailable counts)', in: input({ maxTrialCount: 12, maxFailedTrialCount: 2, counts: { Failed: 2, MetricsUnavailable: 1 } }),
      out: { kind: 'complete', completion: { state: 'Failed', reason: 'ExperimentFailed', message: '3 trials failed, more than maxFailedTrialCount 2' } },
    },
    { name: 'maxFailedTrialCount 0 with zero failures goes on', in: input({ maxFailedTrialCount: 0 }), out: { kind: 'continue', add: 3 } },
    {
      name: 'maxFailedTrialCount 0 fails on the first failure', in: input({ maxFailedTrialCount: 0, counts: { Failed: 1 } }),
      out: { kind: 'complete', completion: { state: 'Failed', reason: 'ExperimentFailed', message: '1 trial failed, more than maxFailedTrialCount 0' } },
    },
    {
      name: 'maxFailedTrialCount 3 fails on the fourth', in: input({ maxFailedTrialCount: 3, counts: { Failed: 4, Succeeded: 2 } }),
      out: { kind: 'complete', completion: { state: 'Failed', reason: 'ExperimentFailed', message: '4 trials failed, more than maxFailedTrialCount 3' } },
    },
    {
      name: 'max trials reached', in: input({ maxTrialCount: 4, counts: { Succeeded: 3, Killed: 1 } }),
      out: { kind: 'complete', completion: { state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', message: '4 of maxTrialCount 4 trials completed' } },
    },
    { name: 'exhausted waits for running trials', in: input({ maxTrialCount: 20, exhausted: true, counts: { Succeeded: 5, Running: 1 } }), out: { kind: 'continue', add: 0 } },
    {
      name: 'exhausted ends the experiment', in: input({ maxTrialCount: 20, exhausted: true, counts: { Succeeded: 9 } }),
      out: { kind: 'complete', completion: { state: 'Succeeded', reason: 'ExperimentSuggestionEndReached', message: 'the search space is exhausted after 9 trials' } },
    },
  ]
  for (const c of cases) assert.deepEqual(planExperiment(c.in), c.out, c.name)
})
