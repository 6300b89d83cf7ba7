import { Type, type Static } from 'typebox'

/** JSON has no NaN or Infinity; a diverged run may send them as these strings. */
export const ReportedValue = Type.Union([
  Type.Number(),
  Type.Enum(['NaN', 'Infinity', '-Infinity']),
], { description: 'a number, or "NaN", "Infinity", "-Infinity" (stored as reported, never a best value)' })
export type ReportedValueType = Static<typeof ReportedValue>

const MetricName = Type.String({ minLength: 1, maxLength: 253, description: 'objectiveMetricName or one of additionalMetricNames' })
const Attempt = Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'the attempt the ask answered with; a worker whose trial was handed to another is refused' })

export const AskBody = Type.Object({
  idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'a retried ask with the same key returns the same trial and creates nothing' })),
  worker: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'a name for the worker, shown on the trial' })),
}, { additionalProperties: false })
export type AskBodyType = Static<typeof AskBody>

export const AskedTrialSchema = Type.Object({
  experiment: Type.String(),
  name: Type.String(),
  number: Type.Integer(),
  state: Type.String({ description: 'Running; for a retried ask, whatever the trial\'s state is now' }),
  params: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()]), { description: 'the parameter values, typed' }),
  parameterAssignments: Type.Array(Type.Object({ name: Type.String(), value: Type.String() })),
  attempt: Type.Integer({ description: '1, or more when a stale trial was handed out again; send it back with heartbeats, points and the tell' }),
  heartbeatTimeoutSeconds: Type.Number({ description: 'a trial not heard of (ask, heartbeat, points) for this long is handed to another worker' }),
})
export type AskedTrialView = Static<typeof AskedTrialSchema>

export const TellBody = Type.Object({
  state: Type.Optional(Type.Enum(['Succeeded', 'Failed'], { description: 'default Succeeded' })),
  value: Type.Optional(ReportedValue),
  values: Type.Optional(Type.Union([
    Type.Record(MetricName, ReportedValue, { description: 'final value per metric' }),
    Type.Array(ReportedValue, { minItems: 1, maxItems: 100, description: 'every objective\'s final value in objective order (a multi-objective experiment: objectiveMetricName first, then spec.objective.objectives)' }),
  ])),
  message: Type.Optional(Type.String({ maxLength: 4000 })),
  attempt: Type.Optional(Attempt),
}, { additionalProperties: false })
export type TellBodyType = Static<typeof TellBody>

export const WorkerSignalBody = Type.Object({
  attempt: Type.Optional(Attempt),
}, { additionalProperties: false })
export type WorkerSignalBodyType = Static<typeof WorkerSignalBody>

export const ShouldStopSchema = Type.Object({
  shouldStop: Type.Boolean(),
  reason: Type.Optional(Type.String({ description: 'why the worker should stop' })),
})
export type ShouldStopView = Static<typeof ShouldStopSchema>

export const PointSchema = Type.Object({
  metric: MetricName,
  step: Type.Integer({ minimum: 0, maximum: 2_147_483_646 }),
  value: ReportedValue,
}, { additionalProperties: false })

export const PushBody = Type.Object({
  points: Type.Array(PointSchema, { minItems: 1, maxItems: 10_000 }),
  attempt: Type.Optional(Attempt),
}, { additionalProperties: false })
export type PushBodyType = Static<typeof PushBody>

export const PushAnswerSchema = Type.Object({
  accepted: Type.Integer({ description: 'points stored (a resent point overwrites itself, never duplicates)' }),
  shouldStop: Type.Boolean(),
  reason: Type.Optional(Type.String()),
})
export type PushAnswerView = Static<typeof PushAnswerSchema>
