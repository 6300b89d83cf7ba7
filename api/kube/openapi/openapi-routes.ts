import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { KATIB_GROUP_VERSION } from '../discovery/api-resources.ts'
import { KubeError, kubeStatus } from '../kube-status.ts'
import { toOpenApiV2 } from './openapi-v2.ts'
import { coreOpenApiV3, katibOpenApiV3 } from './openapi-v3.ts'

/** A document as sent: built once per process (the schemas do not change while it runs). */
interface Published {
  readonly body: string
  /** Kubernetes' hash of a v3 document: SHA-512 of its bytes, upper-case hex. */
  readonly hash: string
}

function publish(document: unknown): Published {
  const body = JSON.stringify(document)
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() }
}

/** The v3 documents by their index key: each group version's own. */
const V3_DOCUMENTS: Readonly<Record<string, () => unknown>> = {
  'api/v1': coreOpenApiV3,
  [`apis/${KATIB_GROUP_VERSION}`]: katibOpenApiV3,
}

/**
 * JSON only. client-go asks `/openapi/v2` in protobuf alone; a 406 makes it fall back (and
 * give up on v2), which is what we want rather than a JSON body it would fail to decode.
 */
function acceptsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept
  if (accept === undefined || accept.trim() === '') return true
  return accept.split(',').some((entry) => {
    const type = entry.split(';')[0]!.trim().toLowerCase()
    return type === 'application/json' || type === '*/*' || type === 'application/*'
  })
}

function notAcceptable(): KubeError {
  return new KubeError(kubeStatus(406, 'NotAcceptable', 'only the following media types are accepted: application/json'))
}

/**
 * `/openapi/v2` and `/openapi/v3` (the index, kubeflow.org/v1beta1's and core/v1's documents), as a
 * Kubernetes API server serves them: the v3 index names each document by a URL with its hash,
 * which clients (kubectl's disk cache) treat as immutable; an outdated hash redirects.
 */
export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  const published = new Map<string, Published>()
  const v3 = (path: string) => {
    let document = published.get(path)
    if (document === undefined) published.set(path, (document = publish(V3_DOCUMENTS[path]!())))
    return document
  }
  let v2: Published | undefined
  const hidden = { schema: { hide: true } }

  app.get('/openapi/v2', hidden, async (request, reply) => {
    if (!acceptsJson(request)) throw notAcceptable()
    v2 ??= publish(toOpenApiV2(katibOpenApiV3()))
    return reply.header('etag', `"${v2.hash}"`).type('application/json').send(v2.body)
  })

  app.get('/openapi/v3', hidden, async (request) => {
    if (!acceptsJson(request)) throw notAcceptable()
    const paths = Object.fromEntries(Object.keys(V3_DOCUMENTS).map((path) => [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${v3(path).hash}` }]))
    return { paths }
  })

  for (const path of Object.keys(V3_DOCUMENTS)) {
    app.get(`/openapi/v3/${path}`, hidden, async (request, reply) => {
      if (!acceptsJson(request)) throw notAcceptable()
      const document = v3(path)
      const asked = (request.query as { hash?: unknown }).hash
      if (typeof asked === 'string' && asked !== '') {
        if (asked !== document.hash) return reply.redirect(`/openapi/v3/${path}?hash=${document.hash}`, 301)
        void reply.header('cache-control', 'public, immutable').header('expires', new Date(Date.now() + 365 * 86400_000).toUTCString())
      } else {
        void reply.header('cache-control', 'no-cache, private')
      }
      return reply.header('etag', `"${document.hash}"`).type('application/json').send(document.body)
    })
  }
}
