import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validateExperimentObject } from '../../core/spec/index.ts'
import { askTellExperimentObject } from '../helpers/experiment-yaml.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))

const experiment = (name: string) => askTellExperimentObject(name, { max: 3 })

test('a trialTemplate is optional (Katib\'s type allows it; the webhook would not): valid, with a warning', () => {
  const result = validateExperimentObject(experiment('outside-workers'))
  assert.deepEqual(result.issues, [])
  assert.ok(result.experiment)
  assert.equal(result.experiment.spec.trialTemplate, undefined)
  assert.deepEqual(result.warnings.map((w) => w.path), ['/spec/trialTemplate'])
})

test('`tunewell run` refuses an experiment without trialTemplate, saying what to do, before touching a database', () => {
  const home = mkdtempSync(join(tmpdir(), 'tunewell-notemplate-'))
  const file = join(home, 'outside.yaml')
  writeFileSync(file, JSON.stringify(experiment('outside-workers'), null, 2))
  const result = spawnSync(process.execPath, [bin, 'run', file, '--home', home], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, DATABASE_URL: '' } })
  assert.equal(result.status, 2, result.stderr)
  assert.match(result.stderr, /outside\.yaml:\d+:\d+ \/spec\/trialTemplate: no trialTemplate is given, so there is nothing to run locally/)
  assert.match(result.stderr, /tunewell serve/)
  const validate = spawnSync(process.execPath, [bin, 'validate', file], { encoding: 'utf8', timeout: 60_000 })
  assert.equal(validate.status, 0, validate.stderr)
  assert.match(validate.stdout, /valid Experiment "outside-workers"/)
  assert.match(validate.stdout, /cannot run on local processes/)
})
