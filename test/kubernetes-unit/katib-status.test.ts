import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Value } from 'typebox/value'
import { parseExperimentYaml } from '../../core/spec/index.ts'
import { KatibExperimentStatusSchema, type KatibExperimentStatus } from '../../core/spec/katib-experiment-status-schema.ts'
import { TRIAL_STATES, type TrialState } from '../../core/trial.ts'
import type { ExperimentRecord } from '../../db/store.ts'
import { katibInvalidStatus, katibStatus, type KatibStatusInput } from '../../core/katib/katib-status.ts'

const parsed = parseExperimentYaml(`apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: { name: status-test }
spec:
  objective: { type: maximize, goal: 0.99, objectiveMetricName: accuracy, additionalMetricNames: [loss, f1] }
  algorithm: { algorithmName: random }
  maxTrialCount: 12
  parameters:
    - { name: lr, parameterType: double, feasibleSpace: { min: "0.0001", max: "0.1" } }
    - { name: layers, parameterType: int, feasibleSpace: { min: "1", max: "8" } }
    - { name: optimizer, parameterType: categorical, feasibleSpace: { list: [sgd, adam] } }
  trialTemplate:
    primaryContainerName: training
    trialParameters: [{ name: lr, reference: lr }, { name: layers, reference: layers }, { name: optimizer, reference: optimizer }]
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            restartPolicy: Never
            containers:
              - name: training
                image: x
                command: [train, "\${trialParameters.lr}", "\${trialParameters.layers}", "\${trialParameters.optimizer}"]
`)
assert.ok(parsed.experiment, JSON.stringify(parsed.issues))
const spec = parsed.experiment

const created = new Date('2026-12-07T10:00:00.250Z')
const started = new Date('2026-12-07T10:00:02.900Z')
const completed = new Date('2026-12-07T10:20:00.000Z')
const t = (minute: number) => new Date(Date.UTC(2026, 11, 7, 11, minute))

const zero = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>

type Experiment = KatibStatusInput['experiment']
const experiment = (patch: Partial<Pick<ExperimentRecord, 'state' | 'reason' | 'message' | 'startedAt' | 'completedAt'>>): Experiment => ({
  spec, state: 'Created', reason: 'ExperimentCreated', message: 'experiment is created', createdAt: created, startedAt: null, completedAt: null, ...patch,
})
const running = experiment({ state: 'Running', reason: 'ExperimentRunning', message: 'experiment started', startedAt: started })
const goalReached = experiment({
  state: 'Succeeded', reason: 'ExperimentGoalReached', message: 'objective 0.995 reached the goal 0.99', startedAt: started, completedAt: completed,
})

function status(input: Partial<KatibStatusInput> & Pick<KatibStatusInput, 'experiment' | 'now'>): KatibExperimentStatus {
  const out = katibStatus({ counts: zero, names: {}, ...input })
  // Every status must pass the CRD's schema (the API server would refuse it otherwise).
  assert.ok(Value.Check(KatibExperimentStatusSchema, out), JSON.stringify([...Value.Errors(KatibExperimentStatusSchema, out)]))
  return out
}

const summary = (s: KatibExperimentStatus) => (s.conditions ?? []).map((c) => `${c.type}=${c.status}:${c.reason}`)
const condition = (s: KatibExperimentStatus, type: string) => s.conditions?.find((c) => c.type === type)
/** What `kubectl get experiments` prints: `.status.conditions[-1:]`. */
const last = (s: KatibExperimentStatus) => s.conditions?.at(-1)

describe('katibStatus: conditions per database state', () => {
  test('Created: Created True, Katib\'s start time, zero counters, no lists, no optimal trial', () => {
    const s = status({ experiment: experiment({}), now: t(0) })
    assert.deepEqual(summary(s), ['Created=True:ExperimentCreated'])
    assert.equal(s.startTime, '2026-12-07T10:00:00Z')
    assert.equal(condition(s, 'Created')?.lastTransitionTime, '2026-12-07T10:00:00Z')
    assert.equal(s.completionTime, undefined)
    assert.equal(s.currentOptimalTrial, undefined)
    assert.equal(s.trials, 0)
    assert.equal(s.trialMetricsUnavailable, 0)
    assert.equal(s.succeededTrialList, undefined)
    assert.equal(s.lastReconcileTime, '2026-12-07T11:00:00Z')
  })

  test('Running: Running True last, since the database\'s start', () => {
    const s = status({ experiment: running, now: t(1) })
    assert.deepEqual(summary(s), ['Created=True:ExperimentCreated', 'Running=True:ExperimentRunning'])
    assert.equal(last(s)?.lastTransitionTime, '2026-12-07T10:00:02Z')
    assert.equal(last(s)?.message, 'experiment started')
  })

  test('Succeeded: Running flips to False, Succeeded True last with the reason and completion time', () => {
    const before = status({ experiment: running, now: t(1) })
    const s = status({ experiment: goalReached, previous: before, now: t(2) })
    assert.deepEqual(summary(s), ['Created=True:ExperimentCreated', 'Running=False:ExperimentRunning', 'Succeeded=True:ExperimentGoalReached'])
    assert.equal(s.completionTime, '2026-12-07T10:20:00Z')
    assert.equal(condition(s, 'Running')?.lastTransitionTime, '2026-12-07T10:20:00Z')
    assert.equal(last(s)?.message, 'objective 0.995 reached the goal 0.99')
    assert.deepEqual(condition(s, 'Created'), condition(before, 'Created'))
  })

  test('every completion reason of ours keeps its name (they are Katib\'s), Failed included', () => {
    const reasons: [ExperimentRecord['state'], string][] = [
      ['Succeeded', 'ExperimentGoalReached'], ['Succeeded', 'ExperimentMaxTrialsReached'], ['Succeeded', 'ExperimentSuggestionEndReached'],
      ['Succeeded', 'ExperimentStopped'], ['Failed', 'ExperimentFailed'],
    ]
    for (const [state, reason] of reasons) {
      const s = status({ experiment: experiment({ state, reason, message: 'm', startedAt: started, completedAt: completed }), now: t(3) })
      assert.deepEqual(last(s), {
        type: state, status: 'True', reason, message: 'm', lastUpdateTime: '2026-12-07T10:20:00Z', lastTransitionTime: '2026-12-07T10:20:00Z',
      })
      assert.equal(condition(s, 'Running')?.status, 'False')
      assert.equal(s.conditions?.filter((c) => c.status === 'True' && (c.type === 'Succeeded' || c.type === 'Failed')).length, 1)
    }
    const nullReason = status({ experiment: experiment({ state: 'Failed', reason: null, message: null, completedAt: completed }), now: t(3) })
    assert.equal(last(nullReason)?.reason, 'ExperimentFailed')
    // Never started (failed at once): no Running condition is made up.
    assert.deepEqual(summary(nullReason), ['Created=True:ExperimentCreated', 'Failed=True:ExperimentFailed'])
  })

  test('a completed experiment written for the first time gets its history: Running False, then the completion', () => {
    const s = status({ experiment: goalReached, now: t(4) })
    assert.deepEqual(summary(s), ['Created=True:ExperimentCreated', 'Running=False:ExperimentRunning', 'Succeeded=True:ExperimentGoalReached'])
    assert.equal(condition(s, 'Running')?.lastTransitionTime, '2026-12-07T10:20:00Z')
  })

  test('Restarting removes Succeeded, then running again turns Restarting False and Running True last', () => {
    const done = status({ experiment: goalReached, now: t(4) })
    const restarting = status({
      experiment: experiment({ state: 'Restarting', reason: 'ExperimentRestarting', message: 'maxTrialCount raised to 20', startedAt: started }),
      previous: done,
      now: t(5),
    })
    assert.deepEqual(summary(restarting), ['Created=True:ExperimentCreated', 'Running=False:ExperimentRunning', 'Restarting=True:ExperimentRestarting'])
    assert.equal(restarting.completionTime, undefined)
    assert.equal(last(restarting)?.lastTransitionTime, '2026-12-07T11:05:00Z')
    // Running stayed False: its transition time is still the completion's.
    assert.equal(condition(restarting, 'Running')?.lastTransitionTime, '2026-12-07T10:20:00Z')

    const again = status({ experiment: running, previous: restarting, now: t(6) })
    assert.deepEqual(summary(again), ['Created=True:ExperimentCreated', 'Restarting=False:ExperimentRestarting', 'Running=True:ExperimentRunning'])
    assert.equal(last(again)?.lastTransitionTime, '2026-12-07T11:06:00Z')
    assert.equal(condition(again, 'Restarting')?.lastTransitionTime, '2026-12-07T11:06:00Z')

    const maxTrials = experiment({ state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', message: '20 of 20', startedAt: started, completedAt: t(9) })
    const doneAgain = status({ experiment: maxTrials, previous: again, now: t(10) })
    assert.equal(last(doneAgain)?.reason, 'ExperimentMaxTrialsReached')
    assert.equal(condition(doneAgain, 'Restarting')?.status, 'False')
    assert.equal(doneAgain.completionTime, '2026-12-07T11:09:00Z')
  })
})

describe('katibStatus: stability', () => {
  test('nothing changed: the identical status, lastReconcileTime included (so no write)', () => {
    const input = { experiment: running, counts: { ...zero, Running: 2 }, names: { Running: ['a', 'b'] }, now: t(1) }
    const first = status(input)
    const second = status({ ...input, previous: first, now: t(30) })
    assert.deepEqual(second, first)
  })

  test('transition times change only when a condition\'s status does; a new message moves lastUpdateTime', () => {
    const first = status({ experiment: running, now: t(1) })
    const relabelled = status({ experiment: { ...running, message: 'experiment resumed' }, previous: first, now: t(7) })
    const was = condition(first, 'Running')!
    const now = condition(relabelled, 'Running')!
    assert.equal(now.lastTransitionTime, was.lastTransitionTime)
    assert.equal(now.lastUpdateTime, '2026-12-07T11:07:00Z')
    assert.equal(now.message, 'experiment resumed')
    assert.equal(relabelled.lastReconcileTime, '2026-12-07T11:07:00Z')
  })

  test('a counter change moves lastReconcileTime only', () => {
    const first = status({ experiment: running, counts: { ...zero, Running: 1 }, now: t(1) })
    const next = status({ experiment: running, counts: { ...zero, Running: 1, Succeeded: 1 }, previous: first, now: t(2) })
    assert.deepEqual(next.conditions, first.conditions)
    assert.equal(next.trialsSucceeded, 1)
    assert.equal(next.lastReconcileTime, '2026-12-07T11:02:00Z')
  })

  test('conditions another writer left (Katib\'s own, in another key order) are kept when they still hold', () => {
    const katib = { lastTransitionTime: '2026-01-01T00:00:00Z', lastUpdateTime: '2026-01-01T00:00:00Z', message: 'Experiment is created', reason: 'ExperimentCreated', status: 'True' as const, type: 'Created' }
    const s = status({ experiment: running, previous: { conditions: [katib] }, now: t(1) })
    assert.deepEqual(condition(s, 'Created'), katib)
  })
})

describe('katibStatus: trials', () => {
  test('name lists keep the most recent names only; the counters stay exact', () => {
    const counts = { ...zero, Succeeded: 100_000, Failed: 2, Running: 3, Pending: 1, EarlyStopped: 7, Killed: 4, MetricsUnavailable: 5 }
    const recent = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`)
    const names = {
      Succeeded: recent('s', 8), Failed: recent('f', 2), Running: recent('r', 3), Pending: recent('p', 1),
      EarlyStopped: recent('e', 7), Killed: recent('k', 4), MetricsUnavailable: recent('m', 5),
    }
    const s = status({ experiment: running, counts, names, limit: 5, now: t(1) })
    assert.deepEqual(s.succeededTrialList, ['s-3', 's-4', 's-5', 's-6', 's-7'])
    assert.deepEqual(s.earlyStoppedTrialList, ['e-2', 'e-3', 'e-4', 'e-5', 'e-6'])
    assert.deepEqual(s.failedTrialList, ['f-0', 'f-1'])
    assert.deepEqual(s.runningTrialList, ['r-0', 'r-1', 'r-2'])
    assert.deepEqual(s.pendingTrialList, ['p-0'])
    assert.deepEqual(s.killedTrialList, ['k-0', 'k-1', 'k-2', 'k-3'])
    assert.deepEqual(s.metricsUnavailableTrialList, ['m-0', 'm-1', 'm-2', 'm-3', 'm-4'])
    assert.equal(s.trials, 100_022)
    assert.equal(s.trialsSucceeded, 100_000)
    assert.equal(s.trialsFailed, 2)
    assert.equal(s.trialsRunning, 3)
    assert.equal(s.trialsPending, 1)
    assert.equal(s.trialsEarlyStopped, 7)
    assert.equal(s.trialsKilled, 4)
    assert.equal(s.trialMetricsUnavailable, 5)
    assert.ok(!('trialsMetricsUnavailable' in s))
  })

  test('the status of 100,000 trials stays far below etcd\'s object limit at the default bound', () => {
    const names = Object.fromEntries(TRIAL_STATES.map((state) => [state, Array.from({ length: 20_000 }, (_, i) => `a-forty-character-experiment-name-xxxxx-${state}-${i}`)]))
    const counts = Object.fromEntries(TRIAL_STATES.map((state) => [state, 20_000])) as Record<TrialState, number>
    const s = status({ experiment: running, counts, names, now: t(1) })
    assert.equal(s.trials, 140_000)
    assert.ok(JSON.stringify(s).length < 1_500_000 / 10, `${JSON.stringify(s).length} bytes`)
  })

  test('currentOptimalTrial: assignments in spec order as Katib prints them, objective then additional metrics as strings', () => {
    const best = {
      name: 'status-test-7',
      params: { optimizer: 'adam', layers: 3, lr: 0.012300000000000001 },
      metrics: { loss: { min: 0.05, max: 2.5, latest: 0.07 }, accuracy: { min: 0.1, max: 0.995, latest: 0.99 }, other: { min: 1, max: 1, latest: 1 } },
    }
    const s = status({ experiment: running, best, now: t(1) })
    assert.deepEqual(s.currentOptimalTrial, {
      bestTrialName: 'status-test-7',
      parameterAssignments: [{ name: 'lr', value: '0.0123' }, { name: 'layers', value: '3' }, { name: 'optimizer', value: 'adam' }],
      observation: {
        metrics: [
          { name: 'accuracy', min: '0.1', max: '0.995', latest: '0.99' },
          { name: 'loss', min: '0.05', max: '2.5', latest: '0.07' },
          // Reported by no point: Katib's "unavailable".
          { name: 'f1', min: 'unavailable', max: 'unavailable', latest: 'unavailable' },
        ],
      },
    })
  })
})

describe('katibInvalidStatus', () => {
  test('Created and Failed True, every problem in the message, Running flipped, the rest kept', () => {
    const before = status({ experiment: running, counts: { ...zero, Running: 2 }, names: { Running: ['a', 'b'] }, now: t(1) })
    const problems = ['spec.parallelTrialCount: must be at least 1', 'spec.parameters[0].feasibleSpace.max: must be greater than min']
    const s = katibInvalidStatus(problems, before, t(2))
    assert.ok(Value.Check(KatibExperimentStatusSchema, s))
    assert.deepEqual(summary(s), ['Created=True:ExperimentCreated', 'Running=False:ExperimentRunning', 'Failed=True:ExperimentInvalid'])
    for (const problem of problems) assert.ok(last(s)?.message?.includes(problem), last(s)?.message)
    assert.deepEqual(s.runningTrialList, ['a', 'b'])
    assert.equal(s.trialsRunning, 2)
    // The same problems again: nothing to write.
    assert.deepEqual(katibInvalidStatus(problems, s, t(9)), s)
    const fresh = katibInvalidStatus(['metadata.name: too long'], undefined, t(3))
    assert.deepEqual(summary(fresh), ['Created=True:ExperimentCreated', 'Failed=True:ExperimentInvalid'])
  })
})
