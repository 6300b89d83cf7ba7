import { open, stat } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { readTail } from './read-tail.ts'

const BLOCK = 64 * 1024

export interface FollowLogOptions {
  /** Start with the last `tail` lines instead of the whole file. */
  readonly tail?: number
  /** Whether more output may still come (the trial is Pending or Running). */
  readonly isActive: () => Promise<boolean>
  /** Ends the follow at once: the client went away, or the server closes. */
  readonly signal: AbortSignal
  /** How often the file is looked at; default 250 ms. */
  readonly pollMs?: number
}

/**
 * A log file as it grows, chunk by chunk, like `tail -f` that knows when to stop: it waits for
 * the file to appear while the writer may still start, then yields the bytes appended since the
 * last look, and ends once the writer is done and every byte written has been yielded.
 *
 * Polling the size rather than fs.watch: watch events are lost or coalesced on some file systems
 * (network mounts, containers' overlays), and a look every 250 ms costs one stat.
 */
export async function* followLog(path: string, options: FollowLogOptions): AsyncGenerator<Buffer> {
  const { signal } = options
  const pollMs = options.pollMs ?? 250
  let size = await fileSize(path)
  while (size === undefined) {
    // Checked before the last look, so a file written just before the trial ended still counts.
    const active = await options.isActive()
    size = await fileSize(path)
    if (size !== undefined) break
    if (!active || !(await pause(pollMs, signal))) return
  }
  let position = 0
  if (options.tail !== undefined) {
    const text = await readTail(path, options.tail, size)
    if (text !== '') yield Buffer.from(text, 'utf8')
    position = size
  }
  for (;;) {
    if (signal.aborted) return
    // Asked before reading: whatever the trial wrote before it ended is then read below, so the
    // last read after "not active" drains the file.
    const active = await options.isActive()
    const current = (await fileSize(path)) ?? 0
    // A relaunched trial starts its log over (the executor truncates it).
    if (current < position) position = 0
    if (current > position) {
      for await (const chunk of readRange(path, position, current)) {
        if (signal.aborted) return
        position += chunk.length
        yield chunk
      }
    }
    if (!active || !(await pause(pollMs, signal))) return
  }
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path)
    return info.isFile() ? info.size : undefined
  } catch {
    return undefined
  }
}

async function* readRange(path: string, start: number, end: number): AsyncGenerator<Buffer> {
  const file = await open(path, 'r')
  try {
    let position = start
    while (position < end) {
      const buffer = Buffer.alloc(Math.min(BLOCK, end - position))
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position)
      if (bytesRead === 0) return
      position += bytesRead
      yield buffer.subarray(0, bytesRead)
    }
  } finally {
    await file.close()
  }
}

/** False when aborted meanwhile. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal })
    return true
  } catch {
    return false
  }
}
