import { isIP } from 'node:net'
import { hostname } from 'node:os'

/** A Host header (or an Origin's authority) split into a lowercase name and its port, if any. */
export interface HostAddress {
  /** Lowercase, without brackets around an IPv6 literal and without a trailing dot. */
  readonly name: string
  readonly port: string | undefined
}

export interface HostPolicyOptions {
  /** The address the server listens on; default 127.0.0.1 (an app that never listens, e.g. in tests, is treated as loopback). */
  readonly listenHost?: string
  /**
   * Host names answered besides the defaults, for a reverse proxy or a DNS name (`serve
   * --allowed-hosts`): `a.example` that name, `.example.com` that domain and its subdomains,
   * `*` any Host at all.
   */
  readonly allowedHosts?: readonly string[]
}

/**
 * Which Host headers the server answers, as Vite and Jupyter do against DNS rebinding: a page
 * of `evil.example` that re-points its own name to 127.0.0.1 reaches this server with
 * `Host: evil.example`, so a name nobody gave the server is refused. Always answered: loopback
 * names (`localhost`, `*.localhost`, which browsers resolve to loopback themselves, 127.0.0.0/8,
 * `::1`). Listening beyond loopback, also any IP literal (an IP cannot be re-pointed, so a
 * browser that sent it addressed this server itself), the name given to --host and this
 * machine's host name. The port is not compared: a proxy or a tunnel may forward another one,
 * and a rebinding attack is told apart by its name.
 */
export class HostPolicy {
  readonly anyHost: boolean
  /** Exact names and `.domain` suffixes given by the operator. */
  readonly named: readonly string[]
  private readonly beyondLoopback: boolean
  private readonly ownNames: readonly string[]

  constructor(options: HostPolicyOptions = {}) {
    const listen = normalizeName(options.listenHost ?? '127.0.0.1')
    this.beyondLoopback = !isLoopbackName(listen)
    this.ownNames = this.beyondLoopback ? [...new Set([listen, normalizeName(hostname())].filter((n) => n !== '' && isIP(n) === 0))] : []
    const allowed = (options.allowedHosts ?? []).map((h) => h.trim().toLowerCase()).filter((h) => h !== '')
    this.anyHost = allowed.includes('*')
    this.named = allowed.filter((h) => h !== '*').map(normalizeName)
  }

  /** Whether a request addressed to this Host is answered. */
  allowsHost(host: HostAddress): boolean {
    if (this.anyHost || isLoopbackName(host.name) || this.isNamed(host.name)) return true
    return this.beyondLoopback && (isIP(host.name) !== 0 || this.ownNames.includes(host.name))
  }

  /** Whether the operator named this host (`--allowed-hosts`); `*` names none. */
  isNamed(name: string): boolean {
    return this.named.some((n) => (n.startsWith('.') ? name === n.slice(1) || name.endsWith(n) : name === n))
  }

  /** The names answered, for messages. */
  describe(): string {
    const names = ['localhost', '*.localhost', '127.0.0.0/8', '[::1]', ...(this.beyondLoopback ? ['any IP address', ...this.ownNames] : []), ...this.named]
    return this.anyHost ? 'any host' : names.join(', ')
  }
}

/** `name`, `name:port`, `[v6]` or `[v6]:port`; undefined when malformed (no browser sends such a header). */
export function parseHostHeader(header: string): HostAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/@[\]]+))(?::(\d{1,5}))?$/.exec(header.trim())
  if (!match) return undefined
  const name = match[1] ?? match[2]!
  if (match[1] !== undefined && isIP(match[1]) !== 6) return undefined
  return { name: normalizeName(name), port: match[3] }
}

/** Checks `--allowed-hosts` entries; the message for the user, or undefined when all are well-formed. */
export function allowedHostsProblem(entries: readonly string[]): string | undefined {
  for (const raw of entries) {
    const entry = raw.trim()
    if (entry === '*') continue
    const name = entry.replace(/^\[(.*)\]$/, '$1')
    if (isIP(name) !== 0 || /^\.?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i.test(entry)) continue
    return `"${entry}" is not a host name: give names without scheme, port or path, separated by commas ` +
      '(e.g. tune.example,.corp.example for a domain and its subdomains, or * for any host)'
  }
  return undefined
}

/**
 * Why `*` needs a token: it answers any Host, so a page whose own name was re-pointed at this
 * machine (DNS rebinding) is same-origin with the server and passes the Origin check too.
 */
export const ANY_HOST_NEEDS_TOKEN = 'allowed hosts "*" without a token would let any web page drive this server through DNS rebinding ' +
  '(its own name re-pointed at this machine makes it same-origin); list the names instead (e.g. tune.example)'

/** Comma-separated `--allowed-hosts` / TUNEWELL_ALLOWED_HOSTS text as entries. */
export function splitAllowedHosts(text: string): string[] {
  return text.split(',').map((h) => h.trim()).filter((h) => h !== '')
}

/** localhost, *.localhost (RFC 6761), 127.0.0.0/8, ::1 and IPv4-mapped 127.x. */
export function isLoopbackName(name: string): boolean {
  const n = normalizeName(name)
  if (n === 'localhost' || n.endsWith('.localhost')) return true
  if (isIP(n) === 4) return n.startsWith('127.')
  if (isIP(n) === 6) return n === '::1' || /^::ffff:127\./.test(n) || /^(0{1,4}:){7}0{0,3}1$/.test(n)
  return false
}

function normalizeName(name: string): string {
  return name.trim().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase()
}
