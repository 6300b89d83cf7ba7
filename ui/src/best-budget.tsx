import { useState } from 'preact/hooks'
import type { ExperimentResource } from './api-types.ts'
import { formatNumber } from './format.ts'
import { Link } from './link.tsx'
import { formatParameterValue } from './parameter-value.ts'
import { paths } from './router.ts'
import { compareObjective, type ParameterInfo, type SpecInfo } from './spec-info.ts'
import type { TrialRow } from './trial-row.ts'

/**
 * How a multi-fidelity experiment spends its budget, which decides what a trial's objective is
 * worth: hyperband gives each trial a value of its resource parameter (epochs), a stopping rule
 * (asha, medianstop) ends trials at a rung, pbt continues trials from their parents (a trial of
 * generation g carries g segments of training before its own).
 */
export type Fidelity =
  | { readonly kind: 'resource'; readonly parameter: ParameterInfo; readonly full: number }
  | { readonly kind: 'early-stopping'; readonly rule: string }
  | { readonly kind: 'generations' }

interface LooseSpec {
  algorithm?: { algorithmName?: string; algorithmSettings?: { name?: string; value?: string }[] }
  earlyStopping?: { algorithmName?: string }
}

export function fidelityOf(experiment: ExperimentResource, info: SpecInfo): Fidelity | undefined {
  const spec = experiment.spec as LooseSpec
  const algorithm = spec.algorithm?.algorithmName
  if (algorithm === 'hyperband') {
    const setting = (name: string) => spec.algorithm?.algorithmSettings?.find((s) => s.name === name)?.value
    const parameter = info.parameters.find((p) => p.name === setting('resource_name'))
    const full = Number(setting('r_l'))
    if (parameter && Number.isFinite(full)) return { kind: 'resource', parameter, full }
  }
  if (algorithm === 'pbt') return { kind: 'generations' }
  if (spec.earlyStopping?.algorithmName) return { kind: 'early-stopping', rule: spec.earlyStopping.algorithmName }
  return undefined
}

/** What a trial was given: its resource, whether it ran in full, its generation. */
export function budgetText(fidelity: Fidelity, trial: TrialRow): string {
  switch (fidelity.kind) {
    case 'resource': return `${fidelity.parameter.name} = ${formatParameterValue(fidelity.parameter, trial.params[fidelity.parameter.name])} of ${formatNumber(fidelity.full)}`
    case 'early-stopping': return trial.state === 'EarlyStopped' ? `stopped early by ${fidelity.rule}, at its rung` : 'ran in full'
    case 'generations': return `generation ${trial.generation ?? 0}`
  }
}

/**
 * The trials given the whole budget: hyperband's at r_l (a resource snapped to the parameter's
 * grid may land a hair below it, hence the tolerance), the ones a stopping rule let finish, pbt's
 * of the latest generation that has an objective.
 */
export function atFullBudget(fidelity: Fidelity, trials: readonly TrialRow[]): TrialRow[] {
  switch (fidelity.kind) {
    case 'resource': return trials.filter((t) => Number(t.params[fidelity.parameter.name]) >= fidelity.full * (1 - 1e-6))
    case 'early-stopping': return trials.filter((t) => t.state === 'Succeeded')
    case 'generations': {
      const last = Math.max(0, ...trials.filter((t) => t.objective !== null).map((t) => t.generation ?? 0))
      return trials.filter((t) => (t.generation ?? 0) === last)
    }
  }
}

/** The best trial among `trials` as the server would pick it (succeeded or early-stopped, ties to the earlier). */
export function bestAmong(trials: readonly TrialRow[], info: SpecInfo): TrialRow | undefined {
  const candidates = trials.filter((t) => t.objective !== null && (t.state === 'Succeeded' || t.state === 'EarlyStopped'))
  return candidates.sort(compareObjective(info))[0]
}

/**
 * In the best trial card of a multi-fidelity experiment: the budget the best trial had, and a
 * choice between it and the best at full budget (a trial that looks best after 3 epochs may not
 * be after 27; the experiment's best is Katib's, over every budget).
 */
export function BestBudget(props: { experiment: string; fidelity: Fidelity; trials: readonly TrialRow[]; info: SpecInfo; bestTrial: string }) {
  const [full, setFull] = useState(false)
  const best = props.trials.find((t) => t.name === props.bestTrial)
  if (!best) return null
  const fullBest = bestAmong(atFullBudget(props.fidelity, props.trials), props.info)
  const bestIsFull = fullBest?.name === best.name
  return (
    <div class="best-budget" data-testid="best-budget">
      <p class="small muted">budget: <span data-testid="best-budget-value">{budgetText(props.fidelity, best)}</span>{bestIsFull ? ' (the full budget)' : ''}</p>
      {!bestIsFull && (
        <>
          <label class="small inline-field">
            <input type="checkbox" checked={full} onChange={(e) => setFull(e.currentTarget.checked)} /> best at full budget
          </label>
          {full && (fullBest
            ? (
              <p class="small" data-testid="best-full-budget">
                <Link href={paths.trial(props.experiment, fullBest.name)}>trial {fullBest.number}</Link>
                {' '}{props.info.objective.metric} = {formatNumber(fullBest.objective)} (budget: {budgetText(props.fidelity, fullBest)})
              </p>
            )
            : <p class="small muted" data-testid="best-full-budget">No trial has had the full budget yet.</p>)}
        </>
      )}
    </div>
  )
}
