/**
 * Kubernetes' schemas (kubernetes-models, hundreds of compiled validators) load only when a
 * trialSpec is checked, so an experiment in the command form starts without them. A file of its
 * own: node's test runner gives each file a fresh process, whose module cache this reads.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { JOB, LOCAL, parse } from './spec-test-kit.ts'

const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((path) => /[\\/]kubernetes-models[\\/]/.test(path)).length

test('the command form loads no Kubernetes schema; the first trialSpec does', () => {
  assert.deepEqual(parse(LOCAL).issues, [])
  assert.equal(loaded(), 0)
  assert.deepEqual(parse(JOB).issues, [])
  assert.ok(loaded() > 0, 'checking a Job loads its schema')
})
