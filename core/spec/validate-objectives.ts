/**
 * The multi-objective extension's rules (docs/multiobjective.md): further objectives under
 * `objective.objectives`, constraints under `objective.constraints`, and what several objectives
 * rule out (a goal, an early-stopping rule). Katib itself refuses both fields, so using them is
 * worth a warning to whoever means to run the file on a cluster too.
 */
import type { SpecIssue } from '../errors.ts'
import { CONSTRAINT_FORMS, objectivesOf, parseConstraint } from '../multiobjective/objectives.ts'
import type { Experiment } from './experiment-schema.ts'
import { joinPointer } from './json-pointer.ts'
import { showValue } from './show-value.ts'

const AT = '/spec/objective'

export function validateObjectives(experiment: Experiment, issues: SpecIssue[], warnings: SpecIssue[]): void {
  const objective = experiment.spec.objective
  if (objective.objectives !== undefined) {
    warnings.push({ path: joinPointer(AT, 'objectives'), message: 'objectives is a Tunewell extension (several objectives); Katib itself would refuse this experiment, so run it with Tunewell only' })
  }
  if (objective.constraints !== undefined) {
    warnings.push({ path: joinPointer(AT, 'constraints'), message: 'constraints is a Tunewell extension; Katib itself would refuse this experiment, so run it with Tunewell only' })
  }
  const seen = new Map<string, number>()
  ;(objective.objectives ?? []).forEach((entry, i) => {
    const at = joinPointer(AT, 'objectives', i)
    if (entry.metric === '') {
      issues.push({ path: joinPointer(at, 'metric'), message: 'metric is empty; name the metric the trials report, e.g. "latency_ms"' })
      return
    }
    if (entry.direction !== 'minimize' && entry.direction !== 'maximize') {
      issues.push({ path: joinPointer(at, 'direction'), message: `direction ${showValue(entry.direction)} is neither minimize nor maximize (case does not matter); give one of them` })
      return
    }
    if (entry.metric === objective.objectiveMetricName) {
      if (entry.direction !== objective.type) {
        issues.push({ path: joinPointer(at, 'direction'), message: `"${entry.metric}" is the objectiveMetricName, whose type is ${objective.type}, but this entry says ${entry.direction}; give one direction (or remove the entry: objectiveMetricName is always the first objective)` })
      }
    }
    const earlier = seen.get(entry.metric)
    if (earlier !== undefined) {
      issues.push({ path: joinPointer(at, 'metric'), message: `metric "${entry.metric}" is already objective ${earlier + 1} (${joinPointer(AT, 'objectives', earlier)}); list each objective once` })
    } else {
      seen.set(entry.metric, i)
    }
  })
  ;(objective.constraints ?? []).forEach((text, i) => {
    if (!parseConstraint(text)) {
      issues.push({ path: joinPointer(AT, 'constraints', i), message: `constraint ${showValue(text)} is not understood; write ${CONSTRAINT_FORMS} (a metric the trials report, <= or >=, a number)` })
    }
  })
  const count = objectivesOf(objective).length
  const reference = objective.referencePoint
  if (reference !== undefined) {
    const at = joinPointer(AT, 'referencePoint')
    if (count < 2) issues.push({ path: at, message: 'referencePoint is the hypervolume\'s reference for several objectives, and this experiment has one; remove it or add objectives' })
    else if (reference.length !== count) issues.push({ path: at, message: `referencePoint has ${reference.length} value${reference.length === 1 ? '' : 's'} and there are ${count} objectives (${objectivesOf(objective).map((o) => o.metric).join(', ')}); give one per objective, in that order` })
    reference.forEach((value, i) => {
      if (!Number.isFinite(value)) issues.push({ path: joinPointer(at, i), message: `${value} is not a finite number; give each objective's worst value worth counting` })
    })
  }
  if (count < 2) return
  if (objective.goal !== undefined) {
    issues.push({ path: joinPointer(AT, 'goal'), message: `goal ${objective.goal} is refused with ${count} objectives: with several objectives no single value is reached first (the result is a Pareto front); remove goal and bound the experiment with maxTrialCount` })
  }
  const rule = experiment.spec.earlyStopping?.algorithmName
  if (rule) {
    issues.push({ path: '/spec/earlyStopping/algorithmName', message: `early stopping "${rule}" compares trials on one objective, and this experiment has ${count}; remove earlyStopping (or keep a single objective)` })
  }
}
