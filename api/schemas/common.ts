import { Type, type Static, type TSchema } from 'typebox'

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

/** ISO 8601 in UTC, e.g. `2026-01-02T03:04:05.678Z`. */
export const Timestamp = Type.String({ format: 'date-time' })

export const IssueSchema = Type.Object({
  /** JSON pointer: `/spec/maxTrialCount` in an experiment, `/body/...` or `/querystring/...` in a request. */
  path: Type.String({ description: 'JSON pointer of the offending field' }),
  message: Type.String(),
  line: Type.Optional(Type.Integer({ description: '1-based line in the submitted YAML' })),
  col: Type.Optional(Type.Integer({ description: '1-based column in the submitted YAML' })),
})
export type Issue = Static<typeof IssueSchema>

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable machine-readable code, e.g. EXPERIMENT_NOT_FOUND, SPEC_INVALID, INVALID_REQUEST' }),
      message: Type.String(),
      issues: Type.Optional(Type.Array(IssueSchema)),
    }),
  },
  { description: 'every error answer has this shape' },
)
export type ErrorBody = Static<typeof ErrorSchema>

/** The error answers every route may give; listed per route so the OpenAPI document shows them. */
export const errorResponses = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
  413: ErrorSchema,
  415: ErrorSchema,
  422: ErrorSchema,
  500: ErrorSchema,
  503: ErrorSchema,
} as const

/** Metadata names are DNS labels; anything else cannot exist, and is simply not found. */
export const NameParam = Type.String({ minLength: 1, maxLength: 253, description: 'metadata.name of the experiment' })
export const TrialNameParam = Type.String({ minLength: 1, maxLength: 253, description: 'name of the trial, `<experiment>-<suffix>`' })

export const ExperimentParams = Type.Object({ name: NameParam })
export const TrialParams = Type.Object({ name: NameParam, trial: TrialNameParam })

export const Limit = Type.Integer({ minimum: 1, maximum: 1000, description: 'page size; default 100' })
export const Cursor = Type.String({ minLength: 1, maxLength: 2048, description: 'nextCursor of the previous page; opaque' })

/** A page of a keyset-paginated list. */
export const PageSchema = <T extends TSchema>(item: T) => Type.Object({
  items: Type.Array(item),
  nextCursor: Nullable(Type.String({ description: 'pass as `cursor` for the next page; null on the last page' })),
})
