import { existsSync } from 'node:fs'
import { basename, isAbsolute } from 'node:path'
import type { SpecIssue } from '../errors.ts'
import type { Experiment } from './experiment-schema.ts'
import { joinPointer } from './json-pointer.ts'

const AT = '/spec/trialTemplate/trialSpec'

/**
 * Warnings for a trialSpec whose primary container runs a program or script by an absolute
 * path that does not exist on this machine, as Katib's examples do (`python3
 * /opt/pytorch-mnist/mnist.py`): a local trial runs the container's command + args without its
 * image, so each trial would fail to start. Only warnings: on a cluster the path is in the image.
 * The container is found as a local trial finds it: the first `containers` entry of that name.
 */
export function imagePathWarnings(experiment: Experiment, exists: (path: string) => boolean = existsSync): SpecIssue[] {
  const template = experiment.spec.trialTemplate
  if (!template?.trialSpec || template.command !== undefined || !template.primaryContainerName) return []
  const found = findPrimaryContainer(template.trialSpec, template.primaryContainerName, AT)
  if (!found) return []
  const { container, path } = found
  const argv: { text: string; path: string }[] = []
  for (const key of ['command', 'args'] as const) {
    const list = container[key]
    if (Array.isArray(list)) list.forEach((text, i) => argv.push({ text: typeof text === 'string' ? text : '', path: joinPointer(path, key, i) }))
  }
  const image = typeof container.image === 'string' ? ` (${container.image})` : ''
  const warnings: SpecIssue[] = []
  argv.forEach(({ text, path: at }, i) => {
    if (!namesLocalFile(text, i === 0) || exists(text)) return
    warnings.push({
      path: at,
      message: `${text} does not exist on this machine: a local trial runs the primary container's command and args without its image${image}, so every trial would fail to start; put the ${i === 0 ? 'program' : 'script'} there or point command/args at a local copy (on a cluster, with run --executor kubernetes, the path is inside the image and this does not apply)`,
    })
  })
  return warnings
}

/**
 * The program (argv[0]) when given by an absolute path, or a later argument that is an absolute
 * path to a file with an extension (a script such as /opt/app/train.py). Flags that carry a path
 * (`--log-path=/katib/out.log`) and bare directories are where the trial writes, not what it runs.
 */
function namesLocalFile(text: string, program: boolean): boolean {
  if (!isAbsolute(text) || /\s|\$\{|\$\(/.test(text)) return false
  return program || /\.[A-Za-z0-9]+$/.test(basename(text))
}

interface FoundContainer {
  readonly container: Record<string, unknown>
  readonly path: string
}

function findPrimaryContainer(node: unknown, name: string, path: string): FoundContainer | undefined {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const found = findPrimaryContainer(node[i], name, joinPointer(path, i))
      if (found) return found
    }
    return undefined
  }
  if (node === null || typeof node !== 'object') return undefined
  const record = node as Record<string, unknown>
  if (Array.isArray(record.containers)) {
    const index = record.containers.findIndex((c) => typeof c === 'object' && c !== null && (c as Record<string, unknown>).name === name)
    if (index >= 0) return { container: record.containers[index] as Record<string, unknown>, path: joinPointer(path, 'containers', index) }
  }
  for (const [key, value] of Object.entries(record)) {
    const found = findPrimaryContainer(value, name, joinPointer(path, key))
    if (found) return found
  }
  return undefined
}
