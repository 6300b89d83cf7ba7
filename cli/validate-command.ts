import { objectivesOf } from '../core/multiobjective/objectives.ts'
import { formatIssues, InvalidSpecError } from '../core/errors.ts'
import { countNasOperations } from '../core/nas/expand-nas-config.ts'
import { MAX_PARALLEL_TRIALS_ENV, parseMaxParallelTrials } from '../core/spec/index.ts'
import { imagePathWarnings } from '../core/spec/image-path-warnings.ts'
import { loadExperiment } from './load-experiment.ts'

/**
 * `tunewell validate`: checks every file without running it and reports all of them, so one
 * bad file does not hide the problems of the next. Local-execution limits are notes, not errors.
 */
export async function validateCommand(files: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let invalid = 0
  // The limit `run` would apply; an unreadable setting is run's error to report, not validate's.
  const maxParallelTrials = parseMaxParallelTrials(process.env[MAX_PARALLEL_TRIALS_ENV])
  for (const file of files) {
    try {
      const loaded = await loadExperiment(file, maxParallelTrials !== undefined ? { maxParallelTrials } : {})
      const { experiment, localIssues } = loaded
      // A path into the container's image only matters where trials run locally (TUNEWELL_EXECUTOR, as run reads it).
      const local = (process.env.TUNEWELL_EXECUTOR ?? 'local').trim() === 'local'
      const warnings = [...loaded.warnings, ...(local ? imagePathWarnings(experiment).map((w) => ({ ...w, ...loaded.locate(w.path) })) : [])]
      const s = experiment.spec
      const searched = s.nasConfig && !s.parameters?.length
        ? `${s.nasConfig.graphConfig?.numLayers ?? 0} layers over ${countNasOperations(s.nasConfig)} operations`
        : `${(s.parameters ?? []).length} parameters`
      // The multi-objective extension (docs/multiobjective.md): what is optimised, when it is more than one metric.
      const objectives = objectivesOf(s.objective)
      const constraints = s.objective.constraints?.length ?? 0
      const goals = [
        ...(objectives.length > 1 ? [`${objectives.length} objectives (${objectives.map((o) => `${o.direction} ${o.metric}`).join(', ')})`] : []),
        ...(constraints > 0 ? [`${constraints} constraint${constraints === 1 ? '' : 's'}`] : []),
      ].map((text) => `, ${text}`).join('')
      out.write(`${file}: valid Experiment "${experiment.metadata.name}" (${s.algorithm.algorithmName}, ` +
        `${searched}${goals}, ${s.maxTrialCount ?? 'unbounded'} trials, ${s.parallelTrialCount} in parallel)\n`)
      if (warnings.length > 0) out.write(`warning:\n${formatIssues(warnings, file)}\n`)
      if (localIssues.length > 0) out.write(`note: it cannot run on local processes:\n${formatIssues(localIssues, file)}\n`)
    } catch (error) {
      if (!(error instanceof InvalidSpecError)) throw error
      invalid++
      err.write(`${error.message}\n${error.issues.length} problem(s) in ${file}\n`)
    }
  }
  return invalid === 0 ? 0 : 2
}
