export type ErrorCode =
  | 'SPEC_INVALID'
  | 'ALGORITHM_SETTINGS_INVALID'
  | 'EXPERIMENT_NOT_FOUND'
  | 'EXPERIMENT_EXISTS'
  | 'TRIAL_NOT_FOUND'
  | 'STATE_CONFLICT'
  | 'DATABASE_UNAVAILABLE'
  | 'EXECUTOR_FAILED'

export class TunewellError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = 'TunewellError'
  }
}

/** One problem in a user's document: where it is and what would be right. */
export interface SpecIssue {
  /** JSON-pointer-like path, e.g. `/spec/parameters/0/feasibleSpace/min`. */
  readonly path: string
  readonly message: string
  /** 1-based, when the document had source positions. */
  readonly line?: number
  readonly col?: number
}

export class InvalidSpecError extends TunewellError {
  readonly issues: readonly SpecIssue[]
  readonly file: string | undefined
  constructor(issues: readonly SpecIssue[], file?: string) {
    super('SPEC_INVALID', formatIssues(issues, file))
    this.issues = issues
    this.file = file
    this.name = 'InvalidSpecError'
  }
}

export function formatIssues(issues: readonly SpecIssue[], file?: string): string {
  return issues
    .map((i) => {
      const where = [file, i.line, i.col].filter((x) => x !== undefined).join(':')
      return `${where ? where + ' ' : ''}${i.path || '/'}: ${i.message}`
    })
    .join('\n')
}
