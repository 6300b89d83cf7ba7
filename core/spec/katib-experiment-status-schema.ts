/**
 * Katib's `ExperimentStatus` (kubeflow.org/v1beta1) as it appears on an Experiment resource in a
 * cluster, written back through the status subresource in operator mode. It is Katib's shape,
 * field for field, because `kubectl wait --for=condition=Succeeded`, Katib's Python SDK
 * (`get_optimal_hyperparameters`) and dashboards read it; the API's own status
 * (api/schemas/experiment.ts) is a different, flatter view. The CustomResourceDefinition in
 * deploy/ is generated from this and experiment-schema.ts (scripts/generate-crd.ts).
 */
import { Type, type Static } from 'typebox'

const Time = Type.String({ format: 'date-time' })

export const KATIB_EXPERIMENT_CONDITION_TYPES = ['Created', 'Running', 'Restarting', 'Succeeded', 'Failed'] as const

/** Katib's ExperimentCondition; reasons such as ExperimentGoalReached are free text to the schema. */
export const KatibExperimentConditionSchema = Type.Object({
  type: Type.String({ description: `one of ${KATIB_EXPERIMENT_CONDITION_TYPES.join(', ')}` }),
  status: Type.Enum(['True', 'False', 'Unknown']),
  reason: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  lastUpdateTime: Type.Optional(Time),
  lastTransitionTime: Type.Optional(Time),
}, { additionalProperties: false })

/** Katib reports metric values as strings (common.Metric). */
export const KatibMetricSchema = Type.Object({
  name: Type.Optional(Type.String()),
  min: Type.Optional(Type.String()),
  max: Type.Optional(Type.String()),
  latest: Type.Optional(Type.String()),
}, { additionalProperties: false })

export const KatibParameterAssignmentSchema = Type.Object({
  name: Type.Optional(Type.String()),
  value: Type.Optional(Type.String()),
}, { additionalProperties: false })

export const KatibOptimalTrialSchema = Type.Object({
  bestTrialName: Type.Optional(Type.String()),
  parameterAssignments: Type.Optional(Type.Array(KatibParameterAssignmentSchema)),
  observation: Type.Optional(Type.Object({
    metrics: Type.Optional(Type.Array(KatibMetricSchema)),
  }, { additionalProperties: false })),
}, { additionalProperties: false })

const Names = Type.Array(Type.String())
const Count = Type.Integer({ minimum: 0 })

export const KatibExperimentStatusSchema = Type.Object({
  startTime: Type.Optional(Time),
  completionTime: Type.Optional(Time),
  lastReconcileTime: Type.Optional(Time),
  conditions: Type.Optional(Type.Array(KatibExperimentConditionSchema)),
  currentOptimalTrial: Type.Optional(KatibOptimalTrialSchema),
  runningTrialList: Type.Optional(Names),
  pendingTrialList: Type.Optional(Names),
  failedTrialList: Type.Optional(Names),
  succeededTrialList: Type.Optional(Names),
  killedTrialList: Type.Optional(Names),
  earlyStoppedTrialList: Type.Optional(Names),
  metricsUnavailableTrialList: Type.Optional(Names),
  trials: Type.Optional(Count),
  trialsSucceeded: Type.Optional(Count),
  trialsFailed: Type.Optional(Count),
  trialsKilled: Type.Optional(Count),
  trialsPending: Type.Optional(Count),
  trialsRunning: Type.Optional(Count),
  trialsEarlyStopped: Type.Optional(Count),
  // Katib's spelling: no "s".
  trialMetricsUnavailable: Type.Optional(Count),
}, { additionalProperties: false })
export type KatibExperimentStatus = Static<typeof KatibExperimentStatusSchema>
