import { formatIssues } from '../core/errors.ts'
import { loadExperiment } from './load-experiment.ts'

/** `hypertune validate`: checks files without running them. Errors throw; local limits are notes. */
export async function validateCommand(files: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  for (const file of files) {
    const { experiment, localIssues } = await loadExperiment(file)
    const s = experiment.spec
    out.write(`${file}: valid Experiment "${experiment.metadata.name}" (${s.algorithm.algorithmName}, ` +
      `${(s.parameters ?? []).length} parameters, ${s.maxTrialCount ?? 'unbounded'} trials, ${s.parallelTrialCount} in parallel)\n`)
    if (localIssues.length > 0) out.write(`note: it cannot run on local processes:\n${formatIssues(localIssues, file)}\n`)
  }
  return 0
}
