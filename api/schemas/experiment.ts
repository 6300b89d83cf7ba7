import { Type, type Static } from 'typebox'
import type { Experiment } from '../../core/spec/experiment-schema.ts'
import { Cursor, PageSchema, IssueSchema, Limit, Nullable, Timestamp } from './common.ts'
import { ObservationSchema, ParameterAssignmentSchema } from './trial.ts'

export const EXPERIMENT_STATE_VALUES = ['Created', 'Running', 'Restarting', 'Succeeded', 'Failed'] as const
export const ExperimentStateSchema = Type.Enum([...EXPERIMENT_STATE_VALUES])

/**
 * A JSON body only has to be an object here: everything inside is checked like `tunewell
 * validate` does (all problems at once, 422), the same way for JSON and YAML bodies.
 */
export const ExperimentDocumentSchema = Type.Object({}, {
  additionalProperties: true,
  description: 'a Katib kubeflow.org/v1beta1 Experiment (apiVersion, kind, metadata, spec)',
})

export const TrialCountsSchema = Type.Object({
  total: Type.Integer(),
  Pending: Type.Integer(),
  Running: Type.Integer(),
  Succeeded: Type.Integer(),
  Failed: Type.Integer(),
  Killed: Type.Integer(),
  EarlyStopped: Type.Integer(),
  MetricsUnavailable: Type.Integer(),
})

/** Katib's OptimalTrial; bestTrialName is empty until a trial has an objective value. */
export const OptimalTrialSchema = Type.Object({
  bestTrialName: Type.String(),
  parameterAssignments: Type.Array(ParameterAssignmentSchema),
  observation: ObservationSchema,
})

/** Katib's ExperimentCondition. */
export const ConditionSchema = Type.Object({
  type: Type.String(),
  status: Type.Enum(['True', 'False']),
  reason: Type.String(),
  message: Type.String(),
  lastTransitionTime: Nullable(Timestamp),
})

export const ExperimentStatusSchema = Type.Object({
  state: ExperimentStateSchema,
  reason: Nullable(Type.String()),
  message: Nullable(Type.String()),
  conditions: Type.Array(ConditionSchema),
  startTime: Nullable(Timestamp),
  completionTime: Nullable(Timestamp),
  currentOptimalTrial: OptimalTrialSchema,
  trials: Type.Integer(),
  trialsPending: Type.Integer(),
  trialsRunning: Type.Integer(),
  trialsSucceeded: Type.Integer(),
  trialsFailed: Type.Integer(),
  trialsKilled: Type.Integer(),
  trialsEarlyStopped: Type.Integer(),
  trialMetricsUnavailable: Type.Integer(),
})

export const ObjectiveSchema = Type.Object({ metric: Type.String(), direction: Type.Enum(['minimize', 'maximize']) })

/** The Experiment as Katib would show it (`kubectl get experiment -o yaml`): the stored spec plus status. */
export const ExperimentResourceSchema = Type.Object({
  apiVersion: Type.String(),
  kind: Type.String(),
  metadata: Type.Object({
    name: Type.String(),
    uid: Type.String(),
    creationTimestamp: Timestamp,
  }, { additionalProperties: true }),
  spec: Type.Object({}, { additionalProperties: true, description: 'the validated spec with Katib defaults applied' }),
  status: ExperimentStatusSchema,
  // Tunewell's own (docs/multiobjective.md): not part of Katib's resource.
  objectives: Type.Optional(Type.Array(ObjectiveSchema, { description: 'every objective in order: objectiveMetricName first, then spec.objective.objectives' })),
  constraints: Type.Optional(Type.Array(Type.String(), { description: 'spec.objective.constraints as written' })),
  paretoFront: Type.Optional(Type.Array(Type.String(), { description: 'several objectives: the names of the feasible Succeeded trials no other dominates, by number' })),
  hypervolume: Type.Optional(Nullable(Type.Number({ description: 'several objectives: the volume the front dominates up to referencePoint; null before the first feasible trial' }))),
  referencePoint: Type.Optional(Nullable(Type.Array(Type.Number(), { description: 'several objectives: each objective\'s worst feasible value plus 10% of its range, as reported' }))),
})
/** The schema leaves spec open (it is the user's document); its type is the stored, validated spec. */
export type ExperimentResource = Omit<Static<typeof ExperimentResourceSchema>, 'spec'> & { spec: Experiment['spec'] }

export const ExperimentCreatedSchema = Type.Object({
  experiment: ExperimentResourceSchema,
  warnings: Type.Array(IssueSchema, { description: 'accepted, but probably not what was meant (as `tunewell validate` warns)' }),
})

export const ExperimentValidationSchema = Type.Object({
  valid: Type.Boolean({ description: 'whether a submission of the same body would be accepted' }),
  issues: Type.Array(IssueSchema, { description: 'every problem, as a submission would report it (422 or, for a taken name, 409)' }),
  warnings: Type.Array(IssueSchema),
})
export type ExperimentValidation = Static<typeof ExperimentValidationSchema>

export const ExperimentSummarySchema = Type.Object({
  name: Type.String(),
  state: ExperimentStateSchema,
  reason: Nullable(Type.String()),
  message: Nullable(Type.String()),
  labels: Type.Record(Type.String(), Type.String()),
  algorithmName: Type.String(),
  objective: Type.Object({ type: Type.Enum(['minimize', 'maximize']), metricName: Type.String(), goal: Nullable(Type.Number()) }),
  parallelTrialCount: Type.Integer(),
  maxTrialCount: Nullable(Type.Integer({ description: 'null: no limit' })),
  trials: TrialCountsSchema,
  best: Nullable(Type.Object({ trialName: Type.String(), objective: Nullable(Type.Number()) })),
  createdAt: Timestamp,
  startedAt: Nullable(Timestamp),
  completedAt: Nullable(Timestamp),
})
export type ExperimentSummary = Static<typeof ExperimentSummarySchema>

export const ExperimentListQuery = Type.Object({
  status: Type.Optional(Type.String({ description: 'comma-separated states, e.g. Running,Created' })),
  name: Type.Optional(Type.String({ maxLength: 253, description: 'substring of the name, case-insensitive' })),
  label: Type.Optional(Type.String({ maxLength: 4096, description: 'comma-separated key=value pairs that metadata.labels must all have' })),
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Cursor),
})
export type ExperimentListQueryType = Static<typeof ExperimentListQuery>

export const ExperimentListSchema = PageSchema(ExperimentSummarySchema)

/**
 * A merge patch of the experiment. Only the three counts Katib lets change are typed; any other
 * field is accepted by the schema so that the answer can name it (422) instead of a generic 400.
 */
export const ExperimentPatchSchema = Type.Object({
  spec: Type.Optional(Type.Object({
    parallelTrialCount: Type.Optional(Type.Integer()),
    maxTrialCount: Type.Optional(Type.Integer()),
    maxFailedTrialCount: Type.Optional(Type.Integer()),
  }, { additionalProperties: true })),
}, { additionalProperties: true })
export type ExperimentPatchBody = Static<typeof ExperimentPatchSchema>
