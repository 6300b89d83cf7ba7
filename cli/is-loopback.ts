import { isIPv4, isIPv6 } from 'node:net'

/**
 * Whether a listen address is reachable from this machine only. Any other name counts as
 * reachable from outside: it may resolve to anything.
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (h === 'localhost') return true
  if (isIPv4(h)) return h.startsWith('127.')
  if (isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h)
  return false
}
