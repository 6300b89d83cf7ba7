import { Type, type Static } from 'typebox'
import { Cursor, PageSchema, Limit, Nullable, Timestamp } from './common.ts'

export const TRIAL_STATE_VALUES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Killed', 'EarlyStopped', 'MetricsUnavailable'] as const
export const TrialStateSchema = Type.Enum([...TRIAL_STATE_VALUES])

/** Katib's ParameterAssignment: values as Katib formats them (strings). */
export const ParameterAssignmentSchema = Type.Object({ name: Type.String(), value: Type.String() })

/** Katib's Metric, with numbers instead of Katib's strings. */
export const MetricSummarySchema = Type.Object({
  name: Type.String(),
  min: Type.Number(),
  max: Type.Number(),
  latest: Type.Number(),
})

/** A metric reported only as text (a DARTS genotype): its latest text; min and max have no meaning. */
export const TextMetricSchema = Type.Object({ name: Type.String(), latest: Type.String() })

export const ObservationSchema = Type.Object({
  metrics: Type.Array(MetricSummarySchema),
  textMetrics: Type.Optional(Type.Array(TextMetricSchema, { description: 'metrics reported only as text (e.g. the genotype a darts trial found), by name; absent when there is none' })),
})

/** A constraint a trial broke and by how much (value - bound for <=, bound - value for >=); null: its metric was never reported. */
export const BrokenConstraintSchema = Type.Object({
  constraint: Type.String({ description: 'as written in spec.objective.constraints' }),
  violation: Nullable(Type.Number()),
})

export const TrialSchema = Type.Object({
  name: Type.String(),
  number: Type.Integer({ description: '0, 1, 2 ... in creation order' }),
  state: TrialStateSchema,
  reason: Nullable(Type.String()),
  message: Nullable(Type.String()),
  params: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()]), { description: 'the parameter values, typed' }),
  parameterAssignments: Type.Array(ParameterAssignmentSchema),
  objective: Nullable(Type.Number({ description: 'objective value picked by its metric strategy; null until known (or not a finite number)' })),
  observation: ObservationSchema,
  restarts: Type.Integer({ description: 'relaunches after the controller stopped while it ran' }),
  parent: Nullable(Type.String({ description: 'name of the trial this one continues from its checkpoint (hyperband promotion, pbt exploit); null for a fresh start' })),
  generation: Type.Integer({ description: '0 for a fresh start, the parent\'s generation + 1 otherwise' }),
  createdAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
  // Only for experiments with several objectives or constraints (docs/multiobjective.md).
  values: Type.Optional(Nullable(Type.Array(Type.Number(), { description: 'every objective\'s value in objective order, as reported; null unless the trial has them all' }))),
  feasible: Type.Optional(Nullable(Type.Boolean({ description: 'whether it kept every constraint; null for a trial that did not complete with metrics' }))),
  violations: Type.Optional(Type.Array(BrokenConstraintSchema, { description: 'the constraints it broke, in spec order' })),
})
export type TrialView = Static<typeof TrialSchema>

export const TrialListQuery = Type.Object({
  sort: Type.Optional(Type.Enum(['objective', 'number', 'createdAt'], { description: 'default number' })),
  order: Type.Optional(Type.Enum(['asc', 'desc'], { description: 'default asc; for sort=objective, best first (asc when minimizing, desc when maximizing)' })),
  state: Type.Optional(Type.String({ description: 'comma-separated trial states, e.g. Running,Pending' })),
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Cursor),
})
export type TrialListQueryType = Static<typeof TrialListQuery>

export const TrialListSchema = PageSchema(TrialSchema)

export const TrialLogsQuery = Type.Object({
  tail: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'only the last N lines' })),
  follow: Type.Optional(Type.Boolean({
    description: 'keep the answer open and stream the log as it grows (chunked text/plain), like `tail -f`; ' +
      'it ends once the trial is no longer Pending or Running and its whole output was sent',
  })),
})
