import { StringDecoder } from 'node:string_decoder'

/** How much of one line is kept for the metrics parser; the log file keeps every byte. */
export const MAX_PARSED_LINE = 64 * 1024

/**
 * Splits one output stream of a trial into lines for the parser. Each chunk is searched once (a
 * line written in many chunks costs what its bytes cost), a line longer than MAX_PARSED_LINE is
 * cut there and the rest of it dropped, and UTF-8 is decoded across chunk boundaries. One per
 * stream: a character split between two writes of stdout must not meet stderr's bytes.
 */
export class OutputLines {
  readonly #decoder = new StringDecoder('utf8')
  readonly #emit: (line: string) => void
  #partial = ''

  constructor(emit: (line: string) => void) {
    this.#emit = emit
  }

  push(chunk: Buffer): void {
    const text = this.#decoder.write(chunk)
    let start = 0
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      this.#keep(text, start, end)
      this.#line()
      start = end + 1
    }
    this.#keep(text, start, text.length)
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    const rest = this.#decoder.end()
    this.#keep(rest, 0, rest.length)
    if (this.#partial !== '') this.#line()
  }

  #keep(text: string, start: number, end: number): void {
    const room = MAX_PARSED_LINE - this.#partial.length
    if (room > 0 && end > start) this.#partial += text.slice(start, Math.min(end, start + room))
  }

  #line(): void {
    const line = this.#partial
    this.#partial = ''
    this.#emit(line.endsWith('\r') ? line.slice(0, -1) : line)
  }
}
