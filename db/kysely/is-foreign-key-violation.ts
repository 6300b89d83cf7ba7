/** SQLSTATE 23503; pg and PGlite both expose it as `code` on the thrown error. */
export function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23503'
}
