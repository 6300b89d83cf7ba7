import { Type, type Static } from 'typebox'
import { Nullable } from './common.ts'
import { TrialSchema } from './trial.ts'

/** GET /api/v1/experiments/{name}/best (docs/multiobjective.md). */
export const BestSchema = Type.Object({
  trials: Type.Array(TrialSchema, {
    description: 'several objectives: the Pareto front (feasible Succeeded trials no other dominates), by number; one objective: the best trial (currentOptimalTrial), or none yet',
  }),
  hypervolume: Type.Optional(Nullable(Type.Number({ description: 'several objectives: what the front dominates up to referencePoint' }))),
  referencePoint: Type.Optional(Nullable(Type.Array(Type.Number(), { description: 'several objectives: each objective\'s worst feasible value plus 10% of its range' }))),
})
export type BestView = Static<typeof BestSchema>
