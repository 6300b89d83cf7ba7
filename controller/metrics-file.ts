import { isAbsolute, join, normalize } from 'node:path'
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
}

/** Absolute paths named by the command get their own copy here, under the trial's folder. */
const OWN_ROOT = 'root'

const PATH_CHAR = String.raw`[\w.~/-]`

/** `metricsCollectorSpec.source.fileSystemPath.path` when the collector is File. */
export function fileCollectorPath(experiment: Experiment): string | undefined {
  const collector = experiment.spec.metricsCollectorSpec
  if (collector?.collector?.kind !== 'File') return undefined
  const path = collector.source?.fileSystemPath?.path
  return path ? path : undefined
}

/**
 * Katib's File paths are absolute (`/var/log/katib/metrics.log`), safe there because each pod
 * has a filesystem of its own; local trials share one. Where the command, args or env values
 * name the path (`--log-path=/katib/mnist.log`), each trial gets its own file in its folder and
 * those strings are rewritten to it; a relative path lives in the trial's folder too. Throws
 * (with the reason) for a relative path that leaves the trial's folder.
 */
export function placeMetricsFile(
  source: string,
  trialDir: string,
  command: readonly string[],
  env: Readonly<Record<string, string>>,
): { file: TrialMetricsFile; command: string[]; env: Record<string, string> } {
  const issue = relativeEscape(source)
  if (issue) throw new Error(issue)
  // Normalized first: `/../../x` is `/x` on the filesystem, but joined as is it would climb out of the trial's folder.
  const own = isAbsolute(source) ? join(trialDir, OWN_ROOT, normalize(source)) : join(trialDir, source)
  const pattern = referencePattern(source)
  const every = new RegExp(pattern.source, 'g')
  const rewrite = (text: string) => text.replace(every, () => own)
  const named = command.some((arg) => pattern.test(arg)) || Object.values(env).some((value) => pattern.test(value))
  return {
    file: { path: isAbsolute(source) && !named ? source : own, inTrialDir: !isAbsolute(source) || named },
    command: command.map(rewrite),
    env: Object.fromEntries(Object.entries(env).map(([name, value]) => [name, rewrite(value)])),
  }
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
        `name the path in the trial's command, args or env (e.g. --log-path=${source}; each trial then gets its own copy in its folder), ` +
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

/** The path as a whole word of a string: `--log-path=/katib/mnist.log` names it, `/katib/mnist.log.bak` does not. */
function referencePattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(?<!${PATH_CHAR})${escaped}(?!${PATH_CHAR})`)
}

/** The command, args and env values of the (unrendered) trial template that a local trial runs. */
function templateStrings(experiment: Experiment): string[] {
  const template = experiment.spec.trialTemplate
  if (!template) return []
  if (template.command) return [...template.command, ...(template.env ?? []).map((e) => e.value)]
  const container = findContainer(template.trialSpec, template.primaryContainerName ?? '')
  if (!container) return []
  return [...(container.command ?? []), ...(container.args ?? []), ...(container.env ?? []).flatMap((e) => (e.value === undefined ? [] : [e.value]))]
}
