/**
 * The bounds of Kubernetes' `terminationMessagePolicy: FallbackToLogsOnError`: a failed
 * container's message is the end of its log, at most 80 lines and 2048 bytes. A failed trial's
 * stored message carries the same tail, so it stays small in the database, the API and the
 * dashboard however much the trial printed.
 */
export const TAIL_MAX_LINES = 80
export const TAIL_MAX_BYTES = 2048

/** The last lines of a stream, within TAIL_MAX_LINES and TAIL_MAX_BYTES (bytes of UTF-8, newlines included). */
export class LastLines {
  readonly #maxLines: number
  readonly #maxBytes: number
  #lines: { text: string; bytes: number }[] = []
  #bytes = 0

  constructor(maxLines = TAIL_MAX_LINES, maxBytes = TAIL_MAX_BYTES) {
    this.#maxLines = maxLines
    this.#maxBytes = maxBytes
  }

  push(line: string): void {
    const text = lastBytes(line, this.#maxBytes - 1)
    const bytes = Buffer.byteLength(text) + 1
    this.#lines.push({ text, bytes })
    this.#bytes += bytes
    while (this.#lines.length > this.#maxLines || this.#bytes > this.#maxBytes) this.#bytes -= this.#lines.shift()!.bytes
  }

  get empty(): boolean {
    return this.#lines.length === 0
  }

  /** The kept lines, joined by newlines, without a trailing one. */
  text(): string {
    return this.#lines.map((l) => l.text).join('\n')
  }
}

/** The end of `text` within `max` bytes of UTF-8, cut at a character boundary. */
function lastBytes(text: string, max: number): string {
  const buffer = Buffer.from(text)
  if (buffer.length <= max) return text
  let start = buffer.length - max
  // Skip continuation bytes (10xxxxxx): the cut must not split a character.
  while (start < buffer.length && (buffer[start]! & 0xc0) === 0x80) start++
  return buffer.subarray(start).toString()
}
