/**
 * `tunewell validate` (the CLI, as a child process) over every Katib example: the parser
 * accepting them is not enough, since the algorithm and local-execution checks run after it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exampleFiles, exampleSets } from '../core/spec/spec-test-kit.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))

function validate(files: readonly string[]) {
  const result = spawnSync(process.execPath, [bin, 'validate', ...files], { encoding: 'utf8', timeout: 120_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

for (const set of exampleSets) {
  test(`tunewell validate accepts all 33 Katib examples (${set.name})`, { skip: set.skip }, () => {
    const files = exampleFiles(set.dir)
    assert.equal(files.length, 33)
    const result = validate(files.map((file) => join(set.dir, file)))
    assert.equal(result.stderr, '', 'no example may be refused')
    assert.equal(result.code, 0)
    for (const file of files) assert.match(result.stdout, new RegExp(`${file.replace(/[.]/g, '\\.')}: valid Experiment`), `${file} is not reported valid`)

    // Katib sets hyperband's resource itself: r_l above the parameter's max is only a warning.
    assert.match(result.stdout, /hyperband\.yaml:39:9 \/spec\/parameters\/2\/feasibleSpace\/max: r_l 2 is above feasibleSpace\.max 1/)
    // NAS runs: the four NAS examples get no note about their algorithm.
    for (const nas of ['darts-cpu', 'darts-gpu', 'enas-cpu', 'enas-gpu']) {
      assert.doesNotMatch(result.stdout, new RegExp(`${nas}\\.yaml:\\d+:\\d+ /spec/algorithm/algorithmName`))
    }
    // 23 examples run a script inside their image, which a local trial does not use: a warning
    // at that argument, never an error (on a cluster the path exists).
    assert.equal(result.stdout.match(/does not exist on this machine/g)?.length, 23)
    assert.match(result.stdout, /random\.yaml:48:21 \/spec\/trialTemplate\/trialSpec\/spec\/template\/spec\/containers\/0\/command\/1: \/opt\/pytorch-mnist\/mnist\.py does not exist on this machine/)
  })
}
