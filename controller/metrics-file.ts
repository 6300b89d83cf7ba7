import { dirname, isAbsolute, join, normalize } from 'node:path'
import type { SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import { findContainer } from './primary-container.ts'

/** Where a File collector reads one local trial's metrics. */
export interface TrialMetricsFile {
  readonly path: string
  /**
   * In the trial's own folder: cleared before each launch. Outside it (an absolute path that
   * the trial's command does not name, so it cannot be moved): shared, never deleted, and only
   * what is written after the launch is read.
   */
  readonly inTrialDir: boolean
  /** A folder (the TensorFlowEvent collector's, or a Custom collector's Directory), not one file. */
  readonly directory?: true
}

/** Absolute paths named by the command get their own copy here, under the trial's folder. */
const OWN_ROOT = 'root'

const PATH_CHAR = String.raw`[\w.~/-]`

/** The collector kinds that read a path of the trial's filesystem (a Custom collector only when it names one). */
const PATH_KINDS: readonly string[] = ['File', 'TensorFlowEvent', 'Custom']

/**
 * `metricsCollectorSpec.source.fileSystemPath.path` when the collector reads it: the File
 * collector's file, the TensorFlowEvent collector's folder, or what a Custom collector is told to
 * read (Katib mounts a volume there for it).
 */
export function fileCollectorPath(experiment: Experiment): string | undefined {
  const collector = experiment.spec.metricsCollectorSpec
  if (!PATH_KINDS.includes(collector?.collector?.kind ?? 'StdOut')) return undefined
  const path = collector?.source?.fileSystemPath?.path
  return path ? path : undefined
}

/** Whether the collector's path is a folder (TensorFlowEvent, or `kind: Directory`). */
export function collectorPathIsDirectory(experiment: Experiment): boolean {
  const collector = experiment.spec.metricsCollectorSpec
  return collector?.collector?.kind === 'TensorFlowEvent' || collector?.source?.fileSystemPath?.kind === 'Directory'
}

/**
 * Katib's File paths are absolute (`/var/log/katib/metrics.log`), safe there because each pod
 * has a filesystem of its own; local trials share one. Where the command, args or env values
 * name the path or a folder above it (`--log-path=/katib/mnist.log`, or `--log-path=/logs` for
 * the event folder `/logs/test`), each trial gets its own copy in its folder and those strings
 * are rewritten to it; a relative path lives in the trial's folder too. Throws (with the reason)
 * for a relative path that leaves the trial's folder. `directory`: the path is a folder.
 */
export function placeMetricsFile(
  source: string,
  trialDir: string,
  command: readonly string[],
  env: Readonly<Record<string, string>>,
  directory = false,
): { file: TrialMetricsFile; command: string[]; env: Record<string, string> } {
  const issue = relativeEscape(source)
  if (issue) throw new Error(issue)
  const own = ownCopy(source, trialDir)
  const rewrite = ownPathRewriter(source, trialDir)
  const pattern = referencePattern(source)
  const named = command.some((arg) => pattern.test(arg)) || Object.values(env).some((value) => pattern.test(value))
  return {
    file: { path: isAbsolute(source) && !named ? source : own, inTrialDir: !isAbsolute(source) || named, ...(directory ? { directory: true as const } : {}) },
    command: command.map(rewrite),
    env: Object.fromEntries(Object.entries(env).map(([name, value]) => [name, rewrite(value)])),
  }
}

/** Where a trial's own copy of `source` lives in its folder. */
function ownCopy(path: string, trialDir: string): string {
  // Normalized first: `/../../x` is `/x` on the filesystem, but joined as is it would climb out of the trial's folder.
  return isAbsolute(path) ? join(trialDir, OWN_ROOT, normalize(path)) : join(trialDir, path)
}

/**
 * Rewrites every whole-word mention of `source`, or of a folder above it, to the trial's own
 * copy: what placeMetricsFile does to the trial's command, and the Custom collector's command
 * gets the same, so that it reads what the trial wrote.
 */
export function ownPathRewriter(source: string, trialDir: string): (text: string) => string {
  const names = namesOf(source)
  const every = new RegExp(names.map((name) => wholeWord(name).source).join('|'), 'g')
  return (text) => text.replace(every, (match) => ownCopy(match, trialDir))
}

/**
 * Why this experiment's File path cannot serve local trials, if it cannot: it leaves the trial's
 * folder, or it is an absolute path the command does not name while trials run in parallel.
 */
export function metricsFileIssues(experiment: Experiment): SpecIssue[] {
  const source = fileCollectorPath(experiment)
  if (source === undefined) return []
  const at = '/spec/metricsCollectorSpec/source/fileSystemPath/path'
  const escape = relativeEscape(source)
  if (escape) return [{ path: at, message: escape }]
  const parallel = experiment.spec.parallelTrialCount ?? 3
  if (parallel > 1 && sharesMetricsFile(experiment)) {
    return [{
      path: at,
      message: `parallel trials (parallelTrialCount ${parallel}) would all write their metrics to ${source} and read each other's values: ` +
        `name the path in the trial's command, args or env, or a folder above it (e.g. --log-path=${source}; each trial then gets its own copy in its folder), ` +
        'use a relative path (kept in each trial\'s folder, named by $TUNEWELL_METRICS_FILE), or set parallelTrialCount: 1',
    }]
  }
  return []
}

/** An absolute File path that no string of the trial's command names: every trial writes the same file. */
export function sharesMetricsFile(experiment: Experiment): boolean {
  const source = fileCollectorPath(experiment)
  if (source === undefined || !isAbsolute(source)) return false
  const pattern = referencePattern(source)
  return !templateStrings(experiment).some((text) => pattern.test(text))
}

function relativeEscape(source: string): string | undefined {
  if (isAbsolute(source)) return undefined
  const path = normalize(source)
  if (path === '..' || path.startsWith('../') || path === '.') {
    return `the metrics file ${source} is not inside the trial's folder (a relative path is taken from there); name a file below it, such as metrics.log`
  }
  return undefined
}

/**
 * The path or a folder above it (not `/` itself) as a whole word of a string:
 * `--log-path=/katib/mnist.log` and `--log-dir=/katib` name `/katib/mnist.log`,
 * `/katib/mnist.log.bak` and `/katibx` do not.
 */
function referencePattern(path: string): RegExp {
  return new RegExp(namesOf(path).map((name) => wholeWord(name).source).join('|'))
}

/** `path` as written, then the folders above it (normalized), longest first: what may name it. */
function namesOf(path: string): string[] {
  const names = [path]
  if (isAbsolute(path)) {
    // `/logs/tfevent/` is named by `/logs/tfevent` too.
    const plain = normalize(path).replace(/(.)\/+$/, '$1')
    for (let folder = plain; folder !== dirname(folder); folder = dirname(folder)) names.push(folder)
  }
  return [...new Set(names)]
}

function wholeWord(path: string): RegExp {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(?<!${PATH_CHAR})${escaped}(?!${PATH_CHAR})`)
}

/** The command, args and env values of the (unrendered) trial template that a local trial runs. */
export function templateStrings(experiment: Experiment): string[] {
  const template = experiment.spec.trialTemplate
  if (!template) return []
  if (template.command) return [...template.command, ...(template.env ?? []).map((e) => e.value)]
  const container = findContainer(template.trialSpec, template.primaryContainerName ?? '')
  if (!container) return []
  return [...(container.command ?? []), ...(container.args ?? []), ...(container.env ?? []).flatMap((e) => (e.value === undefined ? [] : [e.value]))]
}
