import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** Hands out and checks the bearer tokens that let one trial, and only it, push its metrics. */
export interface PushTokens {
  tokenFor(trialName: string): string
  /** Whether `token` is the one handed out for `trialName`; compared in constant time. */
  verify(trialName: string, token: string): boolean
}

// Versioned, so that a token scheme of a later release can be told apart (and refused clearly).
const PREFIX = 'tw1.'

/**
 * Tokens are an HMAC-SHA256 of the trial's name under `key`: nothing is stored per trial, and
 * whoever holds the key checks any token. Controllers that share a database share the key
 * (db PushKeyStore), so a token stays good at every replica and across restarts; a process of
 * its own (tests, `run` with local trials) can use a random key that dies with it.
 */
export function pushTokens(key: Uint8Array = randomBytes(32)): PushTokens {
  if (key.length < 32) throw new Error(`a push signing key needs at least 32 bytes, got ${key.length}`)
  const secret = Buffer.from(key)
  const tokenFor = (trialName: string): string => PREFIX + createHmac('sha256', secret).update(trialName, 'utf8').digest('base64url')
  return {
    tokenFor,
    verify(trialName, token) {
      const given = Buffer.from(token, 'utf8')
      const want = Buffer.from(tokenFor(trialName), 'utf8')
      return given.length === want.length && timingSafeEqual(given, want)
    },
  }
}
