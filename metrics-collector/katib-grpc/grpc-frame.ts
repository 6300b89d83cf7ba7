import { GrpcCode, GrpcError } from './grpc-status.ts'

/** gRPC's default limit on a received message (grpc-go and grpc core alike): 4 MiB. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024

/**
 * The one message of a unary call's request body: a length-prefixed message (1 byte
 * compressed flag, 4 bytes big-endian length, the message), per the gRPC HTTP/2 protocol.
 */
export function unaryMessage(body: Buffer): Buffer {
  if (body.length < 5) throw new GrpcError(GrpcCode.INVALID_ARGUMENT, 'the request holds no length-prefixed message')
  if (body[0] !== 0) throw new GrpcError(GrpcCode.UNIMPLEMENTED, 'compressed messages are not supported; send them uncompressed (grpc-encoding identity)')
  const length = body.readUInt32BE(1)
  if (length > MAX_MESSAGE_BYTES) throw new GrpcError(GrpcCode.RESOURCE_EXHAUSTED, `the message has ${length} bytes, more than ${MAX_MESSAGE_BYTES}`)
  if (body.length !== 5 + length) throw new GrpcError(GrpcCode.INVALID_ARGUMENT, 'a unary call takes exactly one message')
  return body.subarray(5)
}

/** `message` as a length-prefixed, uncompressed gRPC message. */
export function frameMessage(message: Uint8Array): Buffer {
  const head = Buffer.alloc(5)
  head.writeUInt32BE(message.length, 1)
  return Buffer.concat([head, message])
}
