import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HttpError } from '../http-error.ts'
import { isKubePath } from '../kube/kube-status.ts'

/** Media types read as YAML text: the registered one and those tools still send. */
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'] as const

/** Media types read as JSON: JSON itself and kubectl's merge patch. */
export const JSON_TYPES = ['application/json', 'application/merge-patch+json'] as const

/** Every body this API reads. */
export const ACCEPTED_TYPES: readonly string[] = [...JSON_TYPES, ...YAML_TYPES]

/** Methods that never carry a body here. */
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE'])

/**
 * JSON and YAML bodies only. Fastify also reads text/plain by default, and that is what a web
 * page of any site can POST here without a CORS preflight (`<form enctype="text/plain">`, a
 * no-cors fetch), as it can application/x-www-form-urlencoded and multipart/form-data: none of
 * those may become a request body, so every parser is removed and only ours come back.
 * A refused type is 415 before any of the body is read, naming the accepted ones.
 *
 * Experiments may be posted as YAML (kept as text here: the spec parser needs the text for
 * line:col), and PATCH bodies as `application/merge-patch+json` (kubectl's media type for a
 * merge patch), parsed like JSON.
 */
export function registerContentTypes(app: FastifyInstance): void {
  const strict = app.getDefaultJsonParser('error', 'error')
  // A DELETE may say application/json and send nothing (the Kubernetes Python client's delete
  // without DeleteOptions does): no body, as a Kubernetes API server takes it, not a 400.
  const json: typeof strict = (request, body, done) => (request.method === 'DELETE' && body === '' ? done(null, undefined) : strict(request, body, done))
  app.removeAllContentTypeParsers()
  for (const type of JSON_TYPES) app.addContentTypeParser(type, { parseAs: 'string' }, json)
  app.addContentTypeParser([...YAML_TYPES], { parseAs: 'string' }, (_request, body, done) => done(null, body))
  app.addHook('preParsing', async (request) => {
    // Kube paths take the patch media types of the Kubernetes API too (their parsers are inside
    // the kube plugin, api/kube/routes/); a type no parser reads is still refused there, as a Status.
    if (BODYLESS.has(request.method) || request.is404 || isKubePath(request.url)) return
    const header = request.headers['content-type']
    if (header === undefined) {
      if (!hasBody(request)) return
      throw unsupported('a body without a Content-Type header')
    }
    const type = request.mediaType
    if (type === undefined || !ACCEPTED_TYPES.includes(type)) throw unsupported(`Content-Type ${JSON.stringify(header)}`)
  })
}

/** Whether a submitted Experiment is YAML text (by its Content-Type) rather than parsed JSON, which may be a string too. */
export function submittedDocument(request: FastifyRequest): { yaml: string } | { json: unknown } {
  const type = request.mediaType
  return type !== undefined && (YAML_TYPES as readonly string[]).includes(type) ? { yaml: String(request.body) } : { json: request.body }
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length']
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

function unsupported(what: string): HttpError {
  return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE',
    `${what} is not accepted: send JSON (application/json; application/merge-patch+json for PATCH) or YAML (application/yaml)`)
}
