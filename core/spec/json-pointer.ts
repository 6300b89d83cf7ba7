/**
 * Issue paths are JSON pointers (RFC 6901) so that label keys such as
 * `katib.kubeflow.org/model-training` stay one segment.
 */
export function joinPointer(base: string, ...segments: readonly (string | number)[]): string {
  return base + segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('')
}

export function splitPointer(path: string): string[] {
  if (path === '' || path === '/') return []
  return path
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}
