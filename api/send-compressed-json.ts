import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import type { FastifyReply, FastifyRequest } from 'fastify'

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)
/** Below this, compressing costs more than the bytes it saves. */
const MIN_BYTES = 16 * 1024

/**
 * Sends `body` as JSON, compressed when the client accepts it: for the few bulk answers of the
 * dashboard (every trial as columns), whose JSON shrinks 5-10 times. Node's zlib does it on its
 * thread pool, so no compression plugin is needed and other routes stay as they are. Brotli at
 * quality 4 compresses better than gzip's default in less time; gzip is the fallback.
 */
export async function sendCompressedJson(request: FastifyRequest, reply: FastifyReply, body: unknown): Promise<FastifyReply> {
  const text = JSON.stringify(body)
  reply.header('content-type', 'application/json; charset=utf-8').header('vary', 'accept-encoding')
  const accepted = String(request.headers['accept-encoding'] ?? '')
  if (text.length < MIN_BYTES) return reply.send(text)
  if (/\bbr\b/.test(accepted)) {
    const compressed = await brotli(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: text.length } })
    return reply.header('content-encoding', 'br').send(compressed)
  }
  if (/\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(await gzipAsync(text, { level: 5 }))
  return reply.send(text)
}
