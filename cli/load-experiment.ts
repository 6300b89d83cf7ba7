import { readFile } from 'node:fs/promises'
import { InvalidSpecError, type SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import { DEFAULT_MAX_PARALLEL_TRIALS, parallelLimitIssues } from '../core/spec/index.ts'
import { checkExperimentYaml } from '../suggestion/check-experiment.ts'
import { checkLocalRunnable } from '../controller/check-local.ts'

export interface LoadedExperiment {
  readonly experiment: Experiment
  /**
   * Reasons this valid experiment cannot run on local processes (empty when it can), an
   * algorithm this version lacks (enas, darts) included: `validate` notes them, `run` refuses.
   */
  readonly localIssues: readonly SpecIssue[]
  /** Katib would reject these, but its own examples rely on them; we accept and say so. */
  readonly warnings: readonly SpecIssue[]
  /** Where a JSON path of the experiment is in its file, for problems found later (what only the cluster can tell). */
  readonly locate: ReturnType<typeof checkExperimentYaml>['locate']
}

/**
 * Reads an Experiment file and runs every check we have (schema, Katib's webhook rules, ours,
 * the algorithm's settings), reporting all problems of the file at once with line:col.
 */
export async function loadExperiment(
  file: string,
  options: { readonly maxParallelTrials?: number; readonly runnable?: (experiment: Experiment) => SpecIssue[] } = {},
): Promise<LoadedExperiment> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message
    throw new InvalidSpecError([{ path: '', message: `cannot read the experiment: ${reason}` }], file)
  }
  const checked = checkExperimentYaml(text, file)
  if (!checked.experiment) throw new InvalidSpecError(checked.issues, file)
  const experiment = checked.experiment
  const local = [
    ...parallelLimitIssues(experiment, options.maxParallelTrials ?? DEFAULT_MAX_PARALLEL_TRIALS, 'run it with a higher --max-parallel-trials'),
    // Where the trials run decides what can run: local processes by default, a cluster with --executor kubernetes.
    ...(options.runnable ?? checkLocalRunnable)(experiment),
  ]
  const localIssues = [...checked.unsupported, ...local.map((issue) => ({ ...issue, ...checked.locate(issue.path) }))]
  return { experiment, localIssues, warnings: checked.warnings, locate: checked.locate }
}
