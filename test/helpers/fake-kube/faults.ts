/** The verbs RBAC speaks of; `watch` is a list with ?watch=true. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection'

export type NamePattern = string | RegExp

/** A name pattern: a RegExp, or a string where `*` matches anything. */
export function nameMatches(pattern: NamePattern | undefined, name: string | undefined): boolean {
  if (pattern === undefined) return true
  if (name === undefined) return false
  if (pattern instanceof RegExp) return pattern.test(name)
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
  return regex.test(name)
}

/** A scripted refusal of requests. */
export interface RequestFault {
  verb?: Verb
  /** `jobs`, `pods/log`, `experiments/status`, ... (plural, with the subresource if any). */
  resource?: string
  namespace?: string
  name?: NamePattern
  /** 403 Forbidden, 409 AlreadyExists/Conflict, 500, ...; none: the request only waits `delayMs`. */
  status?: number
  /** Hold the request this long first (a slow or paused API server). */
  delayMs?: number
  reason?: string
  message?: string
  /** How many requests it refuses before it lapses (default: all). */
  times?: number
}

export interface WatchDrop {
  resource?: string
  namespace?: string
  /** The connection ends after this many events. */
  afterEvents: number
  times?: number
  /** Reset the connection instead of ending the response cleanly. */
  abrupt?: boolean
}

/** A followed pod log whose connection ends after some lines (the client must resume). */
export interface LogDrop {
  namespace?: string
  pod?: NamePattern
  container?: string
  afterLines: number
  times?: number
  abrupt?: boolean
}

const DEFAULT_REASON: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'AlreadyExists',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
}

export interface RequestFacts {
  verb: Verb
  resource: string
  namespace: string | undefined
  name: string | undefined
}

export class Faults {
  private readonly requestFaults: { fault: RequestFault; left: number }[] = []
  private readonly watchDrops: { drop: WatchDrop; left: number }[] = []
  private readonly logDrops: { drop: LogDrop; left: number }[] = []

  addRequestFault(fault: RequestFault): () => void {
    const entry = { fault, left: fault.times ?? Infinity }
    this.requestFaults.push(entry)
    return () => this.requestFaults.splice(this.requestFaults.indexOf(entry) >>> 0, 1)
  }

  addWatchDrop(drop: WatchDrop): () => void {
    const entry = { drop, left: drop.times ?? Infinity }
    this.watchDrops.push(entry)
    return () => this.watchDrops.splice(this.watchDrops.indexOf(entry) >>> 0, 1)
  }

  /** The fault this request meets, used up by one. */
  takeRequestFault(facts: RequestFacts): (RequestFault & { reason: string }) | undefined {
    const entry = this.requestFaults.find(
      ({ fault, left }) =>
        left > 0 &&
        (fault.verb === undefined || fault.verb === facts.verb) &&
        (fault.resource === undefined || fault.resource === facts.resource) &&
        (fault.namespace === undefined || fault.namespace === facts.namespace) &&
        nameMatches(fault.name, facts.name),
    )
    if (!entry) return undefined
    entry.left--
    return { ...entry.fault, reason: entry.fault.reason ?? DEFAULT_REASON[entry.fault.status ?? 0] ?? 'Unknown' }
  }

  takeWatchDrop(resource: string, namespace: string | undefined): WatchDrop | undefined {
    const entry = this.watchDrops.find(
      ({ drop, left }) => left > 0 && (drop.resource === undefined || drop.resource === resource) && (drop.namespace === undefined || drop.namespace === namespace),
    )
    if (!entry) return undefined
    entry.left--
    return entry.drop
  }

  addLogDrop(drop: LogDrop): () => void {
    const entry = { drop, left: drop.times ?? Infinity }
    this.logDrops.push(entry)
    return () => this.logDrops.splice(this.logDrops.indexOf(entry) >>> 0, 1)
  }

  takeLogDrop(namespace: string | undefined, pod: string, container: string): LogDrop | undefined {
    const entry = this.logDrops.find(
      ({ drop, left }) =>
        left > 0 &&
        (drop.namespace === undefined || drop.namespace === namespace) &&
        nameMatches(drop.pod, pod) &&
        (drop.container === undefined || drop.container === container),
    )
    if (!entry) return undefined
    entry.left--
    return entry.drop
  }
}
