import { Type, type Static } from 'typebox'
import { Cursor, Limit } from './common.ts'
import { TrialStateSchema } from './trial.ts'

export const PointSchema = Type.Object({ step: Type.Integer(), value: Type.Number() })

const points = Type.Array(PointSchema, { description: 'ascending by step; only finite values (NaN and ±Infinity are left out)' })
const total = Type.Integer({ description: 'finite points stored, before downsampling; more than points.length when downsampled' })

export const TrialObservationsQuery = Type.Object({
  metric: Type.Optional(Type.String({ description: 'comma-separated metric names; default every metric of the experiment' })),
  maxPoints: Type.Optional(Type.Integer({
    minimum: 2, maximum: 100_000,
    description: 'downsample each series to at most this many points (first, last, and the min and max of each step bucket); default all points',
  })),
})

export const TrialObservationsSchema = Type.Object({
  trial: Type.String(),
  metrics: Type.Array(Type.Object({ name: Type.String(), total, points })),
})

export const ExperimentObservationsQuery = Type.Object({
  metric: Type.Optional(Type.String({ description: 'one metric name; default the objective metric' })),
  maxPointsPerTrial: Type.Optional(Type.Integer({
    minimum: 2, maximum: 10_000, description: 'downsample each trial\'s series to at most this many points; default 100',
  })),
  state: Type.Optional(Type.String({ description: 'comma-separated trial states, e.g. Succeeded,Running' })),
  sort: Type.Optional(Type.Enum(['number', 'objective'], {
    description: 'which trials come first: by number (default), or by objective, best first (trials without a value last)',
  })),
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Cursor),
})
export type ExperimentObservationsQueryType = Static<typeof ExperimentObservationsQuery>

export const ExperimentObservationsSchema = Type.Object({
  metric: Type.String(),
  items: Type.Array(Type.Object({
    name: Type.String(),
    number: Type.Integer(),
    state: TrialStateSchema,
    total,
    points,
  }), { description: 'trials in the order of `sort`; a trial without a point of the metric has an empty series' }),
  nextCursor: Type.Union([Type.String({ description: 'pass as `cursor` for the next page' }), Type.Null()]),
})
