import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { pushTokens } from '../../metrics-collector/push-tokens.ts'

test('tokens of one key verify wherever that key is, for their own trial only', () => {
  const key = randomBytes(32)
  const here = pushTokens(key)
  const elsewhere = pushTokens(Buffer.from(key))
  const token = here.tokenFor('exp-abc')
  assert.equal(elsewhere.tokenFor('exp-abc'), token, 'the same key signs the same token (another replica, a restart)')
  assert.ok(elsewhere.verify('exp-abc', token))
  assert.ok(!elsewhere.verify('exp-abd', token), "another trial's token")
  assert.ok(!elsewhere.verify('exp-abc', token.slice(0, -1)), 'a shortened token')
  assert.ok(!elsewhere.verify('exp-abc', `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`), 'one character changed')
  assert.ok(!elsewhere.verify('exp-abc', ''), 'no token')
  assert.ok(!pushTokens(randomBytes(32)).verify('exp-abc', token), 'another key (another database)')
  assert.match(token, /^tw1\.[A-Za-z0-9_-]{43}$/, 'versioned, URL- and header-safe')
})

test('a key shorter than 32 bytes is refused', () => {
  assert.throws(() => pushTokens(randomBytes(16)), /at least 32 bytes, got 16/)
})
