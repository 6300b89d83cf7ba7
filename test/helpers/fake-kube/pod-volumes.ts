import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { KubeObject } from './kube-object.ts'

/** A container's emptyDir mounts: where the container expects each folder, and where this pod's copy of it is on this machine. */
export type VolumePaths = readonly (readonly [mountPath: string, hostPath: string])[]

interface Mount {
  name: string
  mountPath: string
  subPath?: string
}

/**
 * A simulation of emptyDir volumes for containers that are local processes (no mount
 * namespaces here): each pod's emptyDir is a folder of its own under the pod's folder, and the
 * paths a container names (`/var/log/katib/metrics.log` in its command, args, env values and
 * workingDir) are rewritten into that folder. So two pods that both write /var/log/katib do not
 * share a file, and the containers of one pod do, as on a node. A program that builds such a
 * path from pieces the spec does not spell out would escape the simulation.
 */
export function emptyDirPaths(pod: KubeObject, container: { volumeMounts?: Mount[] }, podDir: string): VolumePaths {
  const emptyDirs = new Set<string>((pod.spec?.volumes ?? []).filter((v: { emptyDir?: unknown }) => v.emptyDir).map((v: { name: string }) => v.name))
  const paths: [string, string][] = []
  for (const mount of container.volumeMounts ?? []) {
    if (!emptyDirs.has(mount.name)) continue
    const host = join(podDir, 'volumes', mount.name, mount.subPath ?? '')
    mkdirSync(host, { recursive: true })
    paths.push([trimSlash(mount.mountPath), host])
  }
  // The deepest mount first: /a/b inside /a is its own volume.
  return paths.sort(([a], [b]) => b.length - a.length)
}

const PATH_CHAR = String.raw`[\w.~-]`

/** `text` with each mounted path (as a whole path or a prefix of one) replaced by its host folder. */
export function rewritePaths(text: string, paths: VolumePaths): string {
  if (paths.length === 0) return text
  const pattern = new RegExp(paths.map(([mountPath]) => `(?<!${PATH_CHAR}|/)${escape(mountPath)}(?=/|$|[^\\w.~-])`).join('|'), 'g')
  return text.replace(pattern, (match) => paths.find(([mountPath]) => mountPath === match)![1])
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
