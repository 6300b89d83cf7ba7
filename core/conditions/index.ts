/**
 * Trial workload state from Katib's successCondition and failureCondition (see workload-state.ts
 * for the rules, evaluate-gjson.ts for the GJSON subset, docs/experiments.md for users).
 */
export { workloadState, conditionMet, type WorkloadPhase, type WorkloadState } from './workload-state.ts'
export { defaultConditions, effectiveConditions, suggestedConditions, CONDITION_EXAMPLES, type ConditionPair, type TrialConditions } from './default-conditions.ts'
export { gjsonGet, type Json } from './evaluate-gjson.ts'
export { checkGjsonPath, type PathProblem } from './check-gjson-path.ts'
export { SUPPORTED_MODIFIERS } from './gjson-syntax.ts'
