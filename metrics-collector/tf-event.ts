/**
 * The few fields of TensorFlow's `Event` protocol buffer (tensorflow/core/util/event.proto) a
 * metrics collector needs: wall_time, step and the summary's scalar values, either
 * `simple_value` (TF1, tensorboardX, PyTorch's SummaryWriter) or a one-element `tensor`
 * (TF2's tf.summary.scalar). Decoded by hand: the wire format is small, and no protobuf
 * library or schema is needed for four messages.
 */
export interface TfScalar {
  readonly tag: string
  readonly value: number
}

export interface TfEvent {
  /** Seconds since the epoch. */
  readonly wallTime: number
  readonly step: number
  readonly scalars: readonly TfScalar[]
}

// DataType enum values (tensorflow/core/framework/types.proto).
const DT_FLOAT = 1
const DT_DOUBLE = 2
const DT_INT32 = 3
const DT_INT64 = 9
const DT_HALF = 19

export class ProtobufError extends Error {}

/** One field of a message: its number and wire type, and its value (varint as bigint, bytes for the rest). */
interface Field {
  readonly number: number
  readonly wire: number
  readonly varint?: bigint
  readonly bytes?: Uint8Array
}

function* fields(buf: Uint8Array): Generator<Field> {
  let at = 0
  const varint = (): bigint => {
    let result = 0n
    let shift = 0n
    for (;;) {
      if (at >= buf.length) throw new ProtobufError('truncated varint')
      const byte = buf[at++]!
      result |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return result
      shift += 7n
      if (shift > 70n) throw new ProtobufError('varint too long')
    }
  }
  const take = (n: number): Uint8Array => {
    if (at + n > buf.length) throw new ProtobufError('truncated field')
    const bytes = buf.subarray(at, at + n)
    at += n
    return bytes
  }
  while (at < buf.length) {
    const key = Number(varint())
    const number = key >>> 3
    const wire = key & 7
    if (wire === 0) yield { number, wire, varint: varint() }
    else if (wire === 1) yield { number, wire, bytes: take(8) }
    else if (wire === 2) yield { number, wire, bytes: take(Number(varint())) }
    else if (wire === 5) yield { number, wire, bytes: take(4) }
    else throw new ProtobufError(`unsupported wire type ${wire}`)
  }
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** Decodes one Event record; undefined for an event without a summary (file_version, graph, ...). */
export function decodeTfEvent(record: Uint8Array): TfEvent | undefined {
  let wallTime = 0
  let step = 0
  const scalars: TfScalar[] = []
  let summary = false
  for (const field of fields(record)) {
    if (field.number === 1 && field.wire === 1) wallTime = view(field.bytes!).getFloat64(0, true)
    else if (field.number === 2 && field.wire === 0) step = Number(BigInt.asIntN(64, field.varint!))
    else if (field.number === 5 && field.wire === 2) {
      summary = true
      for (const value of fields(field.bytes!)) if (value.number === 1 && value.wire === 2) {
        const scalar = decodeValue(value.bytes!)
        if (scalar) scalars.push(scalar)
      }
    }
  }
  return summary ? { wallTime, step, scalars } : undefined
}

/** A Summary.Value: its tag and its scalar, if it holds one. */
function decodeValue(buf: Uint8Array): TfScalar | undefined {
  let tag = ''
  let value: number | undefined
  for (const field of fields(buf)) {
    if (field.number === 1 && field.wire === 2) tag = new TextDecoder().decode(field.bytes)
    else if (field.number === 2 && field.wire === 5) value = view(field.bytes!).getFloat32(0, true)
    else if (field.number === 8 && field.wire === 2) value = tensorScalar(field.bytes!)
  }
  return value === undefined || tag === '' ? undefined : { tag, value }
}

/** The value of a TensorProto with exactly one number in it; undefined for anything else (histograms, text, images). */
function tensorScalar(buf: Uint8Array): number | undefined {
  let dtype = 0
  const values: number[] = []
  let content: Uint8Array | undefined
  const packed = (field: Field, size: number, read: (v: DataView, at: number) => number): void => {
    if (field.wire === 2) {
      const v = view(field.bytes!)
      for (let at = 0; at + size <= field.bytes!.length; at += size) values.push(read(v, at))
    } else if (field.bytes) values.push(read(view(field.bytes), 0))
  }
  const varints = (field: Field): void => {
    if (field.wire === 0) values.push(Number(BigInt.asIntN(64, field.varint!)))
    else if (field.wire === 2) for (const item of fields(withKeys(field.bytes!))) values.push(Number(BigInt.asIntN(64, item.varint ?? 0n)))
  }
  for (const field of fields(buf)) {
    if (field.number === 1 && field.wire === 0) dtype = Number(field.varint)
    else if (field.number === 4 && field.wire === 2) content = field.bytes
    else if (field.number === 5) packed(field, 4, (v, at) => v.getFloat32(at, true))
    else if (field.number === 6) packed(field, 8, (v, at) => v.getFloat64(at, true))
    else if (field.number === 7 || field.number === 10) varints(field)
    else if (field.number === 13) varints(field) // half_val: the 16 bits, converted below
  }
  if (content && content.length > 0) {
    const v = view(content)
    const size = { [DT_FLOAT]: 4, [DT_DOUBLE]: 8, [DT_INT32]: 4, [DT_INT64]: 8, [DT_HALF]: 2 }[dtype]
    if (size === undefined || content.length !== size) return undefined
    if (dtype === DT_FLOAT) return v.getFloat32(0, true)
    if (dtype === DT_DOUBLE) return v.getFloat64(0, true)
    if (dtype === DT_INT32) return v.getInt32(0, true)
    if (dtype === DT_INT64) return Number(v.getBigInt64(0, true))
    return halfToNumber(v.getUint16(0, true))
  }
  if (values.length !== 1) return undefined
  return dtype === DT_HALF ? halfToNumber(values[0]!) : values[0]
}

/** A packed varint run re-keyed as field 1 varints, so `fields` can read it. */
function withKeys(packed: Uint8Array): Uint8Array {
  const out: number[] = []
  let start = true
  for (const byte of packed) {
    if (start) out.push(0x08)
    out.push(byte)
    start = (byte & 0x80) === 0
  }
  return Uint8Array.from(out)
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >> 10) & 0x1f
  const fraction = bits & 0x3ff
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024)
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024)
}
