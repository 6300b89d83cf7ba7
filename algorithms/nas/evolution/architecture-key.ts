import type { Architecture } from '../../../core/nas/architecture-space.ts'

/** One string per architecture (`3,1,0;5;...` by layer), for sets of those already tried. */
export function architectureKey(architecture: Architecture): string {
  return architecture.map((layer) => layer.join(',')).join(';')
}
