/**
 * `darts`: DARTS, Liu, Simonyan and Yang, "DARTS: Differentiable Architecture Search", ICLR 2019.
 * As in Katib, the search itself runs inside the trial: the suggestion service hands every trial
 * the same three values (dartsAssignments: the settings, the search space's operation names and
 * the number of layers) and the trial trains a supernetwork whose mixed operations are softmax
 * weights over those names, then reports the genotype it derived (Katib's example prints
 * `Best-Genotype=Genotype(normal=[...],...)`, a string objective; see docs/nas.md, DARTS). So
 * there is no policy, no state and no seed here, and Katib's examples run one trial.
 *
 * Deviations from Katib's service, each a check at creation rather than in the trial:
 * - Katib's validate_operations refuses any operation without parameters, which would refuse
 *   `skip_connection` as its own darts-gpu example writes it; we accept it there, as its
 *   search space does.
 * - An operation whose first parameter has no `list` (an int range) or that has further
 *   parameters silently contributes nothing, or only its first parameter, to Katib's search
 *   space; dartsNasConfigIssues warns about both.
 * - More than one trial repeats the same search (each trial gets the same assignments): a warning.
 * Katib's service passes a setting it does not know on to the trial; so do we (dartsAssignments
 * with the given settings), and parseSettings warns in case it is a typo.
 */
import type { NasConfig } from '../../../core/spec/experiment-schema.ts'
import type { SettingIssue } from '../../algorithm-definition.ts'
import type { NasAlgorithmDefinition } from '../nas-suggester.ts'
import { SKIP_CONNECTION } from './darts-search-space.ts'
import { DARTS_SETTINGS } from './darts-settings.ts'

export { DARTS_SETTINGS } from './darts-settings.ts'

export const dartsAlgorithm: NasAlgorithmDefinition = {
  name: 'darts',
  description: 'DARTS (differentiable architecture search): each trial searches the whole space itself by gradient descent on a supernetwork and reports the genotype it found; the service passes it the settings, operations and number of layers.',
  settings: DARTS_SETTINGS,
  check: (_space, settings, budget) => {
    const issues: SettingIssue[] = []
    const batchSize = settings.batch_size
    if (typeof batchSize === 'string' && batchSize !== 'None' && !isIntAtLeastOne(batchSize)) {
      issues.push({ setting: 'batch_size', message: `setting "batch_size" must be an integer >= 1 or None, got ${JSON.stringify(batchSize)}` })
    }
    if (budget.maxTrialCount !== undefined && budget.maxTrialCount > 1) {
      issues.push({ warning: true, message: `every darts trial gets the same assignments and runs the same search, so maxTrialCount ${budget.maxTrialCount} repeats it ${budget.maxTrialCount} times; Katib's DARTS examples run one trial (maxTrialCount: 1)` })
    }
    return issues
  },
  // DARTS proposes no architecture: the trial finds it. Each trial is one run of the search.
  create: () => ({ suggest: (request) => ({ architectures: Array.from({ length: request.count }, () => []) }) }),
}

function isIntAtLeastOne(text: string): boolean {
  const trimmed = text.trim()
  return /^[+-]?\d+$/.test(trimmed) && Number(trimmed) >= 1
}

/** A problem of a darts nasConfig, at its JSON pointer under the experiment. */
export interface DartsNasConfigIssue {
  readonly path: string
  readonly message: string
  readonly warning: true
}

/**
 * What Katib's DARTS search space would silently leave out of `nasConfig` (dartsSearchSpace):
 * an operation whose first parameter has no `list`, and parameters after the first.
 */
export function dartsNasConfigIssues(nasConfig: NasConfig): DartsNasConfigIssue[] {
  const issues: DartsNasConfigIssue[] = []
  ;(nasConfig.operations ?? []).forEach((operation, i) => {
    if (operation.operationType === SKIP_CONNECTION) return
    const at = `/spec/nasConfig/operations/${i}`
    const parameters = operation.parameters ?? []
    const first = parameters[0]
    if (!first) {
      issues.push({ path: at, warning: true, message: `operation "${operation.operationType}" has no parameters, so darts' search space leaves it out; give it a categorical filter_size with a list, e.g. ["3"]` })
      return
    }
    if ((first.feasibleSpace.list ?? []).length === 0) {
      issues.push({ path: `${at}/parameters/0/feasibleSpace`, warning: true, message: `darts names operations by the list of their first parameter ("${first.name}"), which has none, so "${operation.operationType}" is left out of the search space; give it a list, e.g. ["3", "5"]` })
    }
    if (parameters.length > 1) {
      issues.push({ path: `${at}/parameters/1`, warning: true, message: `darts reads only the first parameter of an operation (the filter size, "${first.name}"); "${parameters[1]!.name}" and any after it are ignored` })
    }
  })
  return issues
}
