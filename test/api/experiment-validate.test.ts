import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

describe('POST /api/v1/experiments:validate', () => {
  let t: TestApp
  before(async () => {
    t = await openTestApp()
  })
  after(async () => t.close())

  const validate = (yaml: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/experiments:validate', headers: { 'content-type': 'application/yaml' }, payload: yaml })

  test('a valid experiment is valid and nothing is stored', async () => {
    const name = uniqueName('valid')
    const answer = await validate(experimentYaml(name))
    assert.equal(answer.statusCode, 200, answer.body)
    assert.deepEqual(answer.json(), { valid: true, issues: [], warnings: [] })
    assert.equal((await t.app.inject({ url: `/api/v1/experiments/${name}` })).statusCode, 404)
  })

  test('every problem with its line and column, as a submission would report it', async () => {
    const yaml = experimentYaml(uniqueName('bad')).replace('maxTrialCount: 10', 'maxTrialCount: ten')
    const line = yaml.split('\n').findIndex((l) => l.includes('ten')) + 1
    const answer = await validate(yaml)
    assert.equal(answer.statusCode, 200)
    const body = answer.json() as { valid: boolean; issues: { path: string; line?: number }[] }
    assert.equal(body.valid, false)
    assert.deepEqual(body.issues.map((i) => [i.path, i.line]), [['/spec/maxTrialCount', line]])
    assert.equal((await postYaml(t.app, yaml)).statusCode, 422)
  })

  test('a taken name is an issue at metadata.name', async () => {
    const name = uniqueName('taken')
    assert.equal((await postYaml(t.app, experimentYaml(name))).statusCode, 201)
    const body = (await validate(experimentYaml(name))).json() as { valid: boolean; issues: { path: string; line?: number }[] }
    assert.equal(body.valid, false)
    assert.deepEqual(body.issues.map((i) => [i.path, i.line]), [['/metadata/name', 4]])
  })
})
