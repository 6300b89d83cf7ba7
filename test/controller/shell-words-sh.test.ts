import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { AGREED, SHELL_ENV } from '../core/spec/shell-words-cases.ts'

test('the shell-words table is what this machine\'s sh does', (t) => {
  if (spawnSync('sh', ['-c', 'true']).status !== 0) return t.skip('no sh on this machine')
  for (const [text, expected] of AGREED) {
    const result = spawnSync('sh', ['-c', `printf '%s\\0' first ${text}`], { env: SHELL_ENV, encoding: 'utf8' })
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(result.stdout.split('\0').slice(1, -1), expected, JSON.stringify(text))
  }
})
