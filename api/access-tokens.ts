import { createHash, timingSafeEqual } from 'node:crypto'
import type { SpecIssue } from '../core/errors.ts'

/** admin: everything; read: GET and HEAD only. */
export type TokenRole = 'admin' | 'read'

export interface AccessToken {
  readonly token: string
  readonly role: TokenRole
}

/**
 * A tokens file: one `<token> admin|read` per line; blank lines and `#` comments are ignored.
 * Returns every problem with its line, so a typo never silently drops a token.
 */
export function parseTokensFile(text: string): { tokens: AccessToken[]; issues: SpecIssue[] } {
  const tokens: AccessToken[] = []
  const issues: SpecIssue[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim()
    if (line === '') return
    const [token, role, ...rest] = line.split(/\s+/)
    if (rest.length > 0 || (role !== 'admin' && role !== 'read')) {
      issues.push({ path: '', line: i + 1, col: 1, message: 'expected `<token> admin` or `<token> read`' })
    } else if (tokens.some((t) => t.token === token)) {
      issues.push({ path: '', line: i + 1, col: 1, message: 'this token is listed twice' })
    } else {
      tokens.push({ token: token!, role })
    }
  })
  return { tokens, issues }
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/**
 * The role of a presented token, or undefined. Both sides are hashed first, so every comparison
 * is over 32 bytes, and every token is compared, so the time taken says nothing about which
 * token (or how much of one) matched.
 */
export function matchToken(tokens: readonly AccessToken[], presented: string): TokenRole | undefined {
  const given = digest(presented)
  let role: TokenRole | undefined
  for (const t of tokens) {
    if (timingSafeEqual(given, digest(t.token)) && role === undefined) role = t.role
  }
  return role
}
