/**
 * The protobuf wire format, as far as Katib's DBManager messages need it: strings and nested
 * messages (length-delimited fields). Written by hand like tf-event.ts: a handful of messages
 * do not earn a protobuf library and a code generator.
 */

export class ProtobufError extends Error {}

/** One field of a message: its number, and its bytes when length-delimited (other wire types are skipped). */
export interface WireField {
  readonly number: number
  readonly bytes?: Uint8Array
}

/** The fields of one encoded message, in order; unknown ones are the caller's to ignore, as proto3 says. */
export function* readFields(buf: Uint8Array): Generator<WireField> {
  let at = 0
  const varint = (): number => {
    let result = 0
    let scale = 1
    for (let i = 0; ; i++) {
      if (at >= buf.length) throw new ProtobufError('truncated varint')
      if (i >= 10) throw new ProtobufError('varint longer than 10 bytes')
      const byte = buf[at++]!
      // Exact up to 2^53, which is all a length or a field number can be here.
      result += (byte & 0x7f) * scale
      if ((byte & 0x80) === 0) return result
      scale *= 128
    }
  }
  const skip = (n: number): void => {
    if (at + n > buf.length) throw new ProtobufError('truncated field')
    at += n
  }
  while (at < buf.length) {
    const key = varint()
    const number = Math.floor(key / 8)
    const wire = key % 8
    if (number === 0) throw new ProtobufError('field number 0')
    if (wire === 0) varint()
    else if (wire === 1) skip(8)
    else if (wire === 5) skip(4)
    else if (wire === 2) {
      const length = varint()
      const start = at
      skip(length)
      yield { number, bytes: buf.subarray(start, at) }
      continue
    } else throw new ProtobufError(`unsupported wire type ${wire}`)
    yield { number }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A string field's text; protobuf requires valid UTF-8. */
export function decodeString(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes)
  } catch {
    throw new ProtobufError('a string field is not valid UTF-8')
  }
}

/** Builds one message from length-delimited fields; empty strings and messages are left out, as proto3 does for defaults. */
export class MessageWriter {
  readonly #parts: Uint8Array[] = []

  string(number: number, text: string): this {
    return text === '' ? this : this.bytes(number, Buffer.from(text, 'utf8'))
  }

  message(number: number, encoded: Uint8Array, keepEmpty = false): this {
    return encoded.length === 0 && !keepEmpty ? this : this.bytes(number, encoded)
  }

  finish(): Uint8Array {
    return Buffer.concat(this.#parts)
  }

  bytes(number: number, bytes: Uint8Array): this {
    this.#parts.push(encodeVarint(number * 8 + 2), encodeVarint(bytes.length), bytes)
    return this
  }
}

function encodeVarint(n: number): Uint8Array {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return Uint8Array.from(out)
}
