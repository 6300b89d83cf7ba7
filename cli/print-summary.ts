import { describeArchitecture } from '../core/nas/describe-architecture.ts'
import { metricNames, toSearchSpace } from '../core/spec/index.ts'
import { trialAssignments } from '../core/spec/to-search-space.ts'
import { isMultiObjective, objectivesOf } from '../core/multiobjective/objectives.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../db/store.ts'
import { experimentFront, trialStanding } from '../lifecycle/best-front.ts'
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
  const front = frontLines(record.name, spec, trials)
  if (front) out.write(front)
  const best = trials.find((t) => t.id === record.bestTrialId)
  const metric = spec.spec.objective.objectiveMetricName
  // A text objective (a DARTS genotype, TrialRecord.textMetrics) is shown as reported.
  const text = best?.objective === null ? best.textMetrics?.[metric] : undefined
  if (!best || (best.objective === null && text === undefined)) {
    out.write(spec.spec.objective.constraints?.length && trials.some((t) => t.objective !== null) ? 'no trial that reported the objective metric kept every constraint\n' : 'no trial reported the objective metric\n')
    return everyTrialFailed(trials)
  }
  const which = front ? 'best first objective on the front (currentOptimalTrial)' : 'best trial'
  out.write(`${which} ${best.name}: ${metric}=${best.objective === null ? text : formatNumber(best.objective)}\n`)
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

/** With several objectives: the Pareto front, one trial a line with its objectives (docs/multiobjective.md). */
function frontLines(name: string, spec: ExperimentRecord['spec'], trials: readonly TrialRecord[]): string | undefined {
  const objective = spec.spec.objective
  if (!isMultiObjective(objective)) return undefined
  const { front, hypervolume } = experimentFront(objective, trials)
  if (front.length === 0) return 'Pareto front: empty (no feasible trial reported every objective)\n'
  const metrics = objectivesOf(objective).map((o) => o.metric)
  const lines = front.map((t) => {
    const values = trialStanding(objective, t).values ?? []
    return `  ${t.name}: ${metrics.map((m, i) => `${m}=${formatNumber(values[i]!)}`).join(' ')}`
  })
  return `Pareto front: ${front.length} trial(s), hypervolume ${formatNumber(hypervolume ?? NaN)} (tunewell best ${name} for their parameters)\n${lines.join('\n')}\n`
}
