import { describeArchitecture } from '../core/nas/describe-architecture.ts'
import { metricNames, toSearchSpace } from '../core/spec/index.ts'
import { trialAssignments } from '../core/spec/to-search-space.ts'
import type { ExperimentRecord, Store } from '../db/store.ts'
import { earlyStoppingSavings, formatSavings } from './early-stopping-savings.ts'
import { formatNumber } from './progress-reporter.ts'
import { everyTrialFailed, formatTrialFailures } from './trial-failures.ts'
import { tableParamNames } from './table-param-names.ts'
import { trialTable } from './trial-table.ts'

/**
 * The end of a run: every trial, the failed ones' last output lines, the experiment's outcome,
 * and the best parameters. Resolves the complaint `run` exits 1 with when no trial succeeded
 * (trial-failures.ts), undefined otherwise.
 */
export async function printSummary(store: Store, record: ExperimentRecord, out: NodeJS.WritableStream): Promise<string | undefined> {
  const spec = record.spec
  const trials = await store.trials.list(record.id)
  const params = tableParamNames(spec)
  out.write('\n' + trialTable(trials, params, metricNames(spec), record.bestTrialId, toSearchSpace(spec)) + '\n\n')
  const failures = formatTrialFailures(trials)
  if (failures) out.write(failures + '\n\n')
  out.write(`experiment "${record.name}" ${record.state}: ${record.reason ?? ''}${record.message ? ` (${record.message})` : ''}\n`)
  const savings = await earlyStoppingSavings(store, record)
  if (savings) out.write(formatSavings(savings) + '\n')
  const best = trials.find((t) => t.id === record.bestTrialId)
  const metric = spec.spec.objective.objectiveMetricName
  // A text objective (a DARTS genotype, TrialRecord.textMetrics) is shown as reported.
  const text = best?.objective === null ? best.textMetrics?.[metric] : undefined
  if (!best || (best.objective === null && text === undefined)) {
    out.write('no trial reported the objective metric\n')
    return everyTrialFailed(trials)
  }
  out.write(`best trial ${best.name}: ${metric}=${best.objective === null ? text : formatNumber(best.objective)}\n`)
  if (typeof best.params['architecture'] === 'string') {
    const nnConfig = best.params['nn_config']
    out.write(`  architecture = ${best.params['architecture']}\n`)
    for (const line of describeArchitecture(best.params['architecture'], typeof nnConfig === 'string' ? nnConfig : undefined)) out.write(`    ${line}\n`)
    return everyTrialFailed(trials)
  }
  // jsonb does not keep key order; print in the order of spec.parameters, as the trial got them.
  const written = trialAssignments(spec, best.params)
  for (const name of params) {
    if (written[name] !== undefined) out.write(`  ${name} = ${written[name]}\n`)
  }
  return everyTrialFailed(trials)
}
