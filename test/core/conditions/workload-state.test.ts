import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { conditionMet, workloadState } from '../../../core/conditions/workload-state.ts'
import { defaultConditions, effectiveConditions } from '../../../core/conditions/default-conditions.ts'
import { DEFAULT_CONDITIONS } from '../../../core/spec/apply-defaults.ts'
import { example, exampleFiles } from '../spec/spec-test-kit.ts'
import { casesFor, JOB_CASES, kubeflowJobCases, PIPELINERUN_CASES, TRAINJOB_CASES, WORKFLOW_CASES, type WorkloadCase } from './workload-objects.ts'

function assertCase(c: WorkloadCase, conditions: { successCondition?: string; failureCondition?: string }, label: string): void {
  const got = workloadState(c.object, conditions)
  assert.equal(got.state, c.state, `${label}: ${c.name}`)
  if (got.state === 'Running') return
  assert.equal(got.reason, c.reason ?? (c.state === 'Failed' ? 'FailureConditionMet' : 'SuccessConditionMet'), `${label}: ${c.name}: reason`)
  assert.equal(got.reasonFromWorkload, c.reason !== undefined)
  if (c.message !== undefined) assert.equal(got.message, c.message, `${label}: ${c.name}: message`)
  else {
    assert.equal(got.messageFromWorkload, false)
    assert.match(got.message, new RegExp(got.condition === 'failureCondition' ? 'failureCondition' : 'successCondition'))
    assert.ok(got.message.includes(got.expression))
  }
  assert.equal(got.condition, c.state === 'Failed' ? 'failureCondition' : 'successCondition')
}

/** Every example's conditions (as given, or Katib's defaults), run against objects of its kind in every state. */
test('every condition of the 33 Katib examples decides Running, Succeeded and Failed on realistic objects of its kind', () => {
  const files = exampleFiles()
  assert.equal(files.length, 33)
  const seen = new Map<string, Set<string>>()
  for (const file of files) {
    const template = example(file).spec.trialTemplate!
    assert.ok(template.successCondition && template.failureCondition, `${file}: both conditions are in force after defaults`)
    // The ConfigMap example's template (Katib's defaultTrialTemplate.yaml) is a batch/v1 Job.
    const kind = typeof template.trialSpec?.kind === 'string' ? template.trialSpec.kind : 'Job'
    const apiVersion = typeof template.trialSpec?.apiVersion === 'string' ? template.trialSpec.apiVersion : 'batch/v1'
    const cases = casesFor(kind, apiVersion)
    for (const state of ['Running', 'Succeeded', 'Failed']) assert.ok(cases.some((c) => c.state === state), `${kind} has a ${state} case`)
    for (const c of cases) assertCase(c, template, file)
    for (const condition of [template.successCondition, template.failureCondition]) {
      if (!seen.has(condition)) seen.set(condition, new Set())
      seen.get(condition)!.add(kind)
    }
  }
  // Every condition string that the examples contain or default to was exercised.
  assert.deepEqual([...seen.keys()].sort(), [
    'status.[@this].#(phase=="Failed")#',
    'status.[@this].#(phase=="Succeeded")#',
    'status.conditions.#(type=="Complete")#|#(status=="True")#',
    'status.conditions.#(type=="Failed")#|#(status=="True")#',
    'status.conditions.#(type=="Succeeded")#|#(status=="False")#',
    'status.conditions.#(type=="Succeeded")#|#(status=="True")#',
  ])
  assert.deepEqual([...new Set([...seen.values()].flatMap((kinds) => [...kinds]))].sort(), ['Job', 'MPIJob', 'PipelineRun', 'PyTorchJob', 'TFJob', 'TrainJob', 'Workflow', 'XGBoostJob'])
})

test('without conditions, the workload\'s kind gives Katib\'s defaults (the kind alone, whatever the apiVersion)', () => {
  for (const c of JOB_CASES) assertCase(c, {}, 'Job defaults')
  for (const c of TRAINJOB_CASES) assertCase(c, {}, 'TrainJob defaults')
  for (const kind of ['TFJob', 'PyTorchJob', 'XGBoostJob', 'MPIJob']) {
    for (const c of kubeflowJobCases(kind, kind === 'MPIJob' ? 'kubeflow.org/v2beta1' : 'kubeflow.org/v1')) assertCase(c, {}, `${kind} defaults`)
  }
  assert.deepEqual(defaultConditions('Job'), DEFAULT_CONDITIONS.Job)
  assert.deepEqual(defaultConditions('PyTorchJob'), DEFAULT_CONDITIONS.KubeflowJob)
  assert.deepEqual(defaultConditions('TrainJob'), DEFAULT_CONDITIONS.TrainJob)
  // Katib has no default for other kinds: nothing matches, the workload stays Running.
  assert.equal(defaultConditions('Workflow'), undefined)
  for (const c of [...WORKFLOW_CASES, ...PIPELINERUN_CASES]) assert.equal(workloadState(c.object).state, 'Running', c.name)
})

test('given conditions override the defaults, one at a time', () => {
  const complete = JOB_CASES.find((c) => c.name === 'Job complete')!.object
  const custom = { successCondition: 'status.conditions.#(type=="SuccessCriteriaMet")#|#(status=="True")#' }
  assert.deepEqual(effectiveConditions('Job', custom), { success: custom.successCondition, failure: DEFAULT_CONDITIONS.Job.failure })
  const state = workloadState(complete, custom)
  assert.equal(state.state, 'Succeeded')
  assert.equal(state.state === 'Succeeded' && state.expression, custom.successCondition)
  // A success condition that cannot match keeps a complete Job Running.
  assert.equal(workloadState(complete, { successCondition: 'status.conditions.#(type=="Nope")#' }).state, 'Running')
})

test('failure is evaluated first: a workload matching both conditions has Failed (as in Katib)', () => {
  const both = { kind: 'Job', status: { conditions: [{ type: 'Complete', status: 'True', reason: 'CompletionsReached' }, { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'limit' }] } }
  const state = workloadState(both)
  assert.equal(state.state, 'Failed')
  assert.equal(state.state === 'Failed' && state.reason, 'BackoffLimitExceeded')
})

test('met means an object or a non-empty array, not gjson\'s Exists: a string, a number, true or [] is not met', () => {
  assert.equal(conditionMet({}), true)
  assert.equal(conditionMet([0]), true)
  assert.equal(conditionMet([null]), true)
  for (const value of [[], 'Succeeded', 1, 0, true, false, null, undefined]) assert.equal(conditionMet(value), false, JSON.stringify(value))
  const done = { kind: 'Workflow', status: { phase: 'Succeeded', succeeded: 1 } }
  assert.equal(workloadState(done, { successCondition: 'status.phase', failureCondition: 'status.failed' }).state, 'Running')
  assert.equal(workloadState(done, { successCondition: 'status', failureCondition: 'status.failed' }).state, 'Succeeded')
})

test('reason and message are read like Go\'s json.Unmarshal: the first element, keys without regard to case, exact key first', () => {
  const of = (conditions: unknown[]) => workloadState({ kind: 'Job', status: { conditions } })
  const first = of([{ type: 'Failed', status: 'True', reason: 'First', message: 'one' }, { type: 'Failed', status: 'True', reason: 'Second', message: 'two' }])
  assert.deepEqual(first.state === 'Failed' && [first.reason, first.message], ['First', 'one'])
  const cased = of([{ type: 'Failed', status: 'True', Reason: 'Upper', MESSAGE: 'loud' }])
  assert.deepEqual(cased.state === 'Failed' && [cased.reason, cased.message], ['Upper', 'loud'])
  const exact = of([{ type: 'Failed', status: 'True', Reason: 'Upper', reason: 'lower' }])
  assert.equal(exact.state === 'Failed' && exact.reason, 'lower')
  // Where Katib's Unmarshal would fail (a reason that is no string), the generic reason stands in.
  const odd = of([{ type: 'Failed', status: 'True', reason: 42 }])
  assert.deepEqual(odd.state === 'Failed' && [odd.reason, odd.reasonFromWorkload], ['FailureConditionMet', false])
  // A matched scalar (a condition that selects strings) still decides the state.
  const scalar = workloadState({ kind: 'X', status: { phases: ['Failed'] } }, { successCondition: 'status.nothing', failureCondition: 'status.phases.#(=="Failed")#' })
  assert.deepEqual(scalar.state === 'Failed' && [scalar.reason, scalar.matched], ['FailureConditionMet', 'Failed'])
})

test('a Job\'s state follows its conditions for any list of conditions (property)', () => {
  const condition = fc.record({ type: fc.constantFrom('Complete', 'Failed', 'Suspended', 'SuccessCriteriaMet', 'FailureTarget'), status: fc.constantFrom('True', 'False', 'Unknown'), reason: fc.string({ maxLength: 5 }) })
  fc.assert(
    fc.property(fc.array(condition, { maxLength: 6 }), (conditions) => {
      const state = workloadState({ apiVersion: 'batch/v1', kind: 'Job', status: { conditions } })
      const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True')
      const complete = conditions.find((c) => c.type === 'Complete' && c.status === 'True')
      const expected = failed ? 'Failed' : complete ? 'Succeeded' : 'Running'
      assert.equal(state.state, expected)
      if (state.state !== 'Running') {
        const matched = (failed ?? complete)!
        assert.deepEqual(state.matched, { ...matched })
        assert.equal(state.reason, matched.reason || (state.state === 'Failed' ? 'FailureConditionMet' : 'SuccessConditionMet'))
      }
    }),
    { numRuns: 500 },
  )
})

test('a client\'s typed object (Dates, undefined fields) is read as its JSON', () => {
  class V1JobCondition {
    constructor(
      public type: string,
      public status: string,
      public reason: string | undefined,
      public lastTransitionTime: Date,
    ) {}
  }
  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x', labels: undefined }, status: { conditions: [new V1JobCondition('Failed', 'True', undefined, new Date(0))] } }
  const state = workloadState(job)
  assert.equal(state.state, 'Failed')
  assert.deepEqual(state.state === 'Failed' && state.matched, { type: 'Failed', status: 'True', lastTransitionTime: '1970-01-01T00:00:00.000Z' })
  assert.equal(state.state === 'Failed' && state.reason, 'FailureConditionMet')
})
