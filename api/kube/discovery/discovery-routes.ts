import { arch, platform } from 'node:os'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { packageVersion } from '../../package-version.ts'
import {
  aggregatedContentType, aggregatedDiscovery, aggregatedVersionWanted, apiGroupList, apiVersions, coreResourceList, katibApiGroup,
  katibResourceList,
} from './discovery-documents.ts'
import { KATIB_GROUP, KATIB_GROUP_VERSION } from './api-resources.ts'

/**
 * The Kubernetes API conventions this server follows are those of this minor version (kubectl
 * warns beyond one minor of skew, and 1.32 is the kubectl these tests and users run).
 */
export const KUBERNETES_MAJOR = '1'
export const KUBERNETES_MINOR = '32'

const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' }

/** `/version`: gitVersion names the Kubernetes version spoken, with Tunewell's as semver build metadata. */
export function versionInfo(): Record<string, string> {
  return {
    major: KUBERNETES_MAJOR,
    minor: KUBERNETES_MINOR,
    gitVersion: `v${KUBERNETES_MAJOR}.${KUBERNETES_MINOR}.0+tunewell.${packageVersion()}`,
    gitCommit: '',
    gitTreeState: '',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'tunewell',
    platform: `${platform()}/${GO_ARCH[arch()] ?? arch()}`,
  }
}

/** `/api` and `/apis` answer the aggregated form when the client asks for it, else the legacy one. */
function negotiated(request: FastifyRequest, reply: FastifyReply, which: 'api' | 'apis', legacy: () => unknown): unknown {
  void reply.header('vary', 'Accept')
  const version = aggregatedVersionWanted(request.headers.accept)
  if (version === undefined) return legacy()
  // With a charset Fastify leaves the type as written; without, it rewrites the parameters quoted.
  void reply.header('content-type', `${aggregatedContentType(version)};charset=utf-8`)
  return aggregatedDiscovery(which, version)
}

/** Discovery, as a Kubernetes API server answers it; what kubectl reads to know our resources. */
export async function discoveryRoutes(app: FastifyInstance): Promise<void> {
  const hidden = { schema: { hide: true } }
  app.get('/version', hidden, async () => versionInfo())
  app.get('/api', hidden, async (request, reply) => negotiated(request, reply, 'api', () => apiVersions(request.host)))
  app.get('/api/v1', hidden, async () => coreResourceList())
  app.get('/apis', hidden, async (request, reply) => negotiated(request, reply, 'apis', apiGroupList))
  app.get(`/apis/${KATIB_GROUP}`, hidden, async () => katibApiGroup())
  app.get(`/apis/${KATIB_GROUP_VERSION}`, hidden, async () => katibResourceList())
}
