/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html) that this server answers. */
export const GrpcCode = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const

export type GrpcCodeValue = (typeof GrpcCode)[keyof typeof GrpcCode]

/** A call's failure: sent as the trailers grpc-status and grpc-message. */
export class GrpcError extends Error {
  constructor(
    readonly code: GrpcCodeValue,
    message: string,
  ) {
    super(message)
  }
}

/** grpc-message is percent-encoded UTF-8 (the gRPC HTTP/2 protocol, "Responses"). */
export function encodeGrpcMessage(message: string): string {
  return Array.from(Buffer.from(message, 'utf8'), (b) =>
    b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('')
}
