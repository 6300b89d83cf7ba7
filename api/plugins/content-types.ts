import type { FastifyInstance } from 'fastify'

/** Media types read as YAML text: the registered one and those tools still send. */
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'] as const

/**
 * Experiments may be posted as YAML (kept as text here: the spec parser needs the text for
 * line:col), and PATCH bodies as `application/merge-patch+json` (kubectl's media type for a
 * merge patch), parsed like JSON.
 */
export function registerContentTypes(app: FastifyInstance): void {
  app.addContentTypeParser([...YAML_TYPES], { parseAs: 'string' }, (_request, body, done) => done(null, body))
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'))
}
