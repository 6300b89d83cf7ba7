import type { ServerResponse } from 'node:http'
import { kubeTimeNano } from './kube-object.ts'

interface LogLine {
  at: number
  text: string
}

interface ContainerLog {
  lines: LogLine[]
  ended: boolean
  followers: Set<(line: LogLine | null) => void>
}

export interface LogQuery {
  follow: boolean
  timestamps: boolean
  sinceTime?: string
  sinceSeconds?: number
  tailLines?: number
  limitBytes?: number
  previous?: boolean
  /** A scripted drop: the stream ends (or the connection resets) after this many lines. */
  dropAfterLines?: number
  dropAbruptly?: boolean
}

/** Each container's output, line by line with the time it was written, as the kubelet keeps it. */
export class PodLogs {
  private readonly logs = new Map<string, ContainerLog>()

  private log(podUid: string, container: string): ContainerLog {
    const key = `${podUid}/${container}`
    let log = this.logs.get(key)
    if (!log) {
      log = { lines: [], ended: false, followers: new Set() }
      this.logs.set(key, log)
    }
    return log
  }

  append(podUid: string, container: string, text: string): void {
    const log = this.log(podUid, container)
    const line = { at: Date.now(), text }
    log.lines.push(line)
    for (const follower of log.followers) follower(line)
  }

  /** The container stopped: followers' streams end. */
  end(podUid: string, container: string): void {
    const log = this.log(podUid, container)
    log.ended = true
    for (const follower of log.followers) follower(null)
    log.followers.clear()
  }

  text(podUid: string, container: string): string {
    return this.log(podUid, container).lines.map((line) => `${line.text}\n`).join('')
  }

  /** The container restarted: its log so far becomes the previous instance's, a new one begins. */
  rotate(podUid: string, container: string): void {
    const key = `${podUid}/${container}`
    const current = this.logs.get(key)
    if (current) this.logs.set(`${key}#previous`, current)
    this.logs.delete(key)
  }

  hasPrevious(podUid: string, container: string): boolean {
    return this.logs.has(`${podUid}/${container}#previous`)
  }

  forget(podUid: string): void {
    for (const key of this.logs.keys()) if (key.startsWith(`${podUid}/`)) this.logs.delete(key)
  }

  serve(res: ServerResponse, podUid: string, container: string, query: LogQuery): void {
    const log = this.log(podUid, query.previous ? `${container}#previous` : container)
    // sinceTime reaches the kubelet with whole seconds (RFC 3339): lines earlier in that second come again.
    const since = query.sinceTime ? Math.floor(Date.parse(query.sinceTime) / 1000) * 1000 : query.sinceSeconds ? Date.now() - query.sinceSeconds * 1000 : undefined
    let lines = log.lines.filter((line) => since === undefined || line.at >= since)
    if (query.tailLines !== undefined && query.tailLines >= 0) lines = lines.slice(Math.max(0, lines.length - query.tailLines))
    let budget = query.limitBytes ?? Infinity
    const format = (line: LogLine) => (query.timestamps ? `${kubeTimeNano(line.at)} ${line.text}\n` : `${line.text}\n`)
    res.writeHead(200, { 'content-type': 'text/plain', ...(query.follow ? { 'transfer-encoding': 'chunked' } : {}) })
    let sentLines = 0
    const write = (line: LogLine): boolean => {
      if (query.dropAfterLines !== undefined && sentLines >= query.dropAfterLines) {
        if (query.dropAbruptly) res.destroy()
        return false
      }
      sentLines++
      const chunk = Buffer.from(format(line))
      if (chunk.length > budget) {
        res.write(chunk.subarray(0, budget))
        budget = 0
        return false
      }
      budget -= chunk.length
      res.write(chunk)
      return true
    }
    const end = () => {
      if (!res.destroyed) res.end()
    }
    for (const line of lines) {
      if (!write(line)) return end()
    }
    if (!query.follow || log.ended) return end()
    const follower = (line: LogLine | null) => {
      if (line === null || !write(line)) {
        log.followers.delete(follower)
        end()
      }
    }
    log.followers.add(follower)
    res.on('close', () => log.followers.delete(follower))
  }
}
