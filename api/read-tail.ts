import { open } from 'node:fs/promises'

const BLOCK = 64 * 1024
/** A log of very long lines must not make one request read the whole file. */
const MAX_BYTES = 8 * 1024 * 1024

/**
 * The last `lines` lines of a file, read backwards in blocks so a large log costs only what is
 * returned (at most 8 MiB). A final line without its newline counts as a line. `end` reads the
 * tail of the file's first `end` bytes only, so a follower can continue exactly from there.
 */
export async function readTail(path: string, lines: number, end?: number): Promise<string> {
  const file = await open(path, 'r')
  try {
    const size = end ?? (await file.stat()).size
    const chunks: Buffer[] = []
    let position = size
    let newlines = 0
    let read = 0
    while (position > 0 && read < MAX_BYTES) {
      const length = Math.min(BLOCK, position, MAX_BYTES - read)
      position -= length
      const buffer = Buffer.alloc(length)
      await file.read(buffer, 0, length, position)
      read += length
      for (let i = length - 1; i >= 0; i--) {
        // A newline ending the file closes the last line; it does not start another.
        if (buffer[i] !== 0x0a || position + i === size - 1) continue
        if (++newlines === lines) {
          chunks.unshift(buffer.subarray(i + 1))
          return Buffer.concat(chunks).toString('utf8')
        }
      }
      chunks.unshift(buffer)
    }
    return Buffer.concat(chunks).toString('utf8')
  } finally {
    await file.close()
  }
}
