export interface LineSplitterOptions {
  /**
   * A line longer than this (in UTF-16 units) is emitted in pieces, so a program that writes
   * megabytes without a newline cannot make the collector buffer them all. Default 1 MiB.
   */
  readonly maxLineLength?: number
}

/**
 * Incremental line splitting of a stream. Lines end at `\n`, `\r\n` or a lone `\r`: progress
 * bars (tqdm) redraw with `\r`, and each redraw should be parsed as its own line rather than
 * piling up into one huge one. Byte chunks are decoded as UTF-8 and may split characters.
 */
export class LineSplitter {
  readonly #max: number
  readonly #decoder = new TextDecoder('utf-8')
  #buffer = ''
  // The previous chunk ended in `\r`: a `\n` starting the next one belongs to that line break.
  #skipLf = false

  constructor(opts: LineSplitterOptions = {}) {
    this.#max = opts.maxLineLength ?? 1024 * 1024
  }

  /** Complete lines (without terminators) that this chunk finished. */
  push(chunk: string | Uint8Array): string[] {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true })
    return this.#split(text)
  }

  /** Call at end of stream: the remaining partial line, if any. */
  end(): string[] {
    const lines = this.#split(this.#decoder.decode())
    if (this.#buffer !== '') lines.push(this.#buffer)
    this.#buffer = ''
    this.#skipLf = false
    return lines
  }

  #split(text: string): string[] {
    const lines: string[] = []
    let start = 0
    if (this.#skipLf && text.length > 0) {
      if (text[0] === '\n') start = 1
      this.#skipLf = false
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c !== 10 && c !== 13) continue
      this.#emit(lines, this.#buffer + text.slice(start, i))
      this.#buffer = ''
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++
        } else {
          this.#skipLf = true
        }
      }
      start = i + 1
    }
    this.#buffer += text.slice(start)
    if (this.#buffer.length > this.#max) {
      const whole = this.#buffer.length - (this.#buffer.length % this.#max)
      this.#emit(lines, this.#buffer.slice(0, whole))
      this.#buffer = this.#buffer.slice(whole)
    }
    return lines
  }

  #emit(lines: string[], line: string): void {
    if (line.length <= this.#max) {
      lines.push(line)
      return
    }
    for (let i = 0; i < line.length; i += this.#max) lines.push(line.slice(i, i + this.#max))
  }
}
