import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { checkGjsonPath } from '../../../core/conditions/check-gjson-path.ts'
import { CONDITION_EXAMPLES } from '../../../core/conditions/default-conditions.ts'
import { DEFAULT_CONDITIONS } from '../../../core/spec/apply-defaults.ts'
import { validateExperiment } from '../../../core/spec/index.ts'
import { JOB, parse } from '../spec/spec-test-kit.ts'

const ACCEPTED = [
  ...Object.values(DEFAULT_CONDITIONS).flatMap((c) => [c.success, c.failure]),
  ...Object.values(CONDITION_EXAMPLES).flatMap((c) => [c.success, c.failure]),
  'status',
  'status.succeeded',
  'fav\\.movie',
  'status.conditions.#',
  'status.conditions.#.type',
  'status.conditions.#(type=="Complete")',
  'status.conditions.#(type=="Complete").reason',
  'status.conditions.#(type="Complete")#|#(status==True)#',
  'status.conditions.#(type!="Running")#',
  'status.conditions.#(type%"Compl*")#',
  'status.conditions.#(type!%"Run*")#',
  'status.replicaStatuses.Master.#(succeeded>=1)#',
  'status.conditions.#[type=="Complete"]#',
  'status.nodes.@values.#(phase=="Failed")#',
  'friends.#(nets.#(=="fb"))#.first',
  'vals.#(b==~true)#',
  'status.conditions|@reverse|0',
  'status.@this',
  '@this',
  '[status.phase,status.message]',
  '{status.phase,"m":status.message}',
  'items.@flatten:{"deep":true}',
  'child*.2',
  'c?ildren.0',
]

for (const path of ACCEPTED) test(`accepted: ${path}`, () => assert.equal(checkGjsonPath(path), undefined))

/** [path, index of the offending character, words of the message] */
const REFUSED: ReadonlyArray<readonly [string, number, string]> = [
  ['', 0, 'empty'],
  ['   ', 0, 'empty'],
  ['.status', 0, 'starts with'],
  ['|status', 0, 'starts with'],
  ['status.', 7, 'nothing follows'],
  ['status..phase', 7, 'nothing follows'],
  ['status.conditions|', 18, 'nothing follows'],
  ['status\\', 6, 'lone'],
  ['..status', 0, 'JSON lines'],
  ['status.conditions.#(type=="Complete"', 19, 'never closed'],
  ['status.conditions.#(type=="Complete)#', 19, 'never closed'],
  ['status.conditions#(type=="Complete")#', 17, 'with a "." before "#"'],
  ['status.conditions.#(type=="Complete")x', 37, 'after the query'],
  ['status.conditions.#(type=="Complete")##', 38, 'after the query'],
  ['status.conditions.#(type!~"x")#', 24, 'unknown operator'],
  ['status.conditions.#()#', 18, 'query is empty'],
  ['status.conditions.#(type..x=="a")#', 25, 'nothing follows'],
  ['status.conditions.#(status==~null)#', 28, '~true and ~false'],
  ['status.#x', 7, '"#" alone'],
  ['status.@dig:phase', 7, '@dig is not supported'],
  ['status.@tostr', 7, '@tostr is not supported'],
  ['status.@nope', 7, 'no GJSON modifier'],
  ['status.@', 7, 'no modifier'],
  ['!true', 0, 'literals'],
  ['status.[phase', 7, 'never closed'],
  ['status.[phase,]', 14, 'empty path'],
  ['status.[a:phase]', 8, 'names belong'],
  ['status.[phase]x', 14, 'after the multipath'],
  ['status.[phase..x]', 14, 'nothing follows'],
  ['status.@flatten:{"deep":true}x', 29, 'after @flatten'],
]

for (const [path, offset, says] of REFUSED) {
  test(`refused: ${path}`, () => {
    const problem = checkGjsonPath(path)
    assert.ok(problem, 'must be refused')
    assert.ok(problem.message.includes(says), problem.message)
    assert.equal(problem.offset, offset, problem.message)
  })
}

test('the check never throws, and points inside the path', () => {
  const chars = fc.constantFrom('a', '.', '|', '#', '(', ')', '[', ']', '{', '}', '"', '=', '!', '%', '~', '@', 'this', ':', ',', '\\', '*')
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 20 }).map((a) => a.join('')), (path) => {
      const problem = checkGjsonPath(path)
      if (problem) assert.ok(problem.offset >= 0 && problem.offset <= path.length, `${path}: ${problem.offset}`)
    }),
    { numRuns: 3000 },
  )
})

test('a malformed condition is a spec issue at its field, with the character and an example', () => {
  const text = JOB.replace(/( *)primaryContainerName: (\S+)\n/, '$1primaryContainerName: $2\n$1successCondition: status.conditions#(type=="Complete")#\n$1failureCondition: status.conditions.#(type=="Failed"\n')
  assert.notEqual(text, JOB)
  const parsed = parse(text)
  assert.equal(parsed.experiment, undefined)
  const byPath = new Map(parsed.issues.map((i) => [i.path, i.message]))
  assert.deepEqual([...byPath.keys()].sort(), ['/spec/trialTemplate/failureCondition', '/spec/trialTemplate/successCondition'])
  assert.match(byPath.get('/spec/trialTemplate/successCondition')!, /not a GJSON path.*at character 18.*e\.g\. status\.conditions\.#\(type=="Complete"\)#\|#\(status=="True"\)#/)
  assert.match(byPath.get('/spec/trialTemplate/failureCondition')!, /never closed.*at character 20/)
  assert.ok(parsed.issues.every((i) => i.line !== undefined), 'issues point at a line of the document')
})

test('a missing condition on a Workflow suggests Katib\'s Argo example', () => {
  const { experiment } = parse(JOB)
  assert.ok(experiment)
  const workflow = structuredClone(experiment)
  const template = workflow.spec.trialTemplate!
  template.trialSpec = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', spec: {} }
  delete template.successCondition
  delete template.failureCondition
  const issues = validateExperiment(workflow).issues.filter((i) => i.path.endsWith('Condition'))
  assert.ok(issues.find((i) => i.path.endsWith('successCondition'))?.message.includes(CONDITION_EXAMPLES.Workflow.success))
  assert.ok(issues.find((i) => i.path.endsWith('failureCondition'))?.message.includes(CONDITION_EXAMPLES.Workflow.failure))
})
