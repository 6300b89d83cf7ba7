import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * How many points of its source a collector has pushed and had accepted, kept in a small file
 * beside the metrics (the pod's emptyDir): a collector container that the kubelet restarts
 * reads its source from the start again and skips that many points instead of sending them
 * twice. Written by rename, so a crash leaves the old count or the new one, never half a file.
 */
export class PushProgress {
  readonly #path: string

  constructor(path: string) {
    this.#path = path
  }

  get path(): string {
    return this.#path
  }

  /** The count an earlier run left; 0 when there is none (or it is unreadable: sending again is harmless, see push-client.ts). */
  load(): number {
    try {
      const parsed = JSON.parse(readFileSync(this.#path, 'utf8')) as { pushed?: unknown }
      return typeof parsed.pushed === 'number' && Number.isSafeInteger(parsed.pushed) && parsed.pushed > 0 ? parsed.pushed : 0
    } catch {
      return 0
    }
  }

  save(pushed: number): void {
    mkdirSync(dirname(this.#path), { recursive: true })
    const temporary = `${this.#path}.tmp`
    writeFileSync(temporary, JSON.stringify({ pushed }))
    renameSync(temporary, this.#path)
  }
}
