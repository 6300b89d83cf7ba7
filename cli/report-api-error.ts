import { ApiError } from '../api/client/api-request.ts'
import { formatIssues } from '../core/errors.ts'

/**
 * A failed call to the server, for a person: the server's message, then each issue on its own
 * line (`file:line:col /path: message` when the issues point into a file the user sent), and a
 * hint for what the CLI can fix itself (the token, the server address). Anything that is not an
 * ApiError is rethrown: it is a bug, reported by main.
 */
export function reportApiError(error: unknown, err: NodeJS.WritableStream, file?: string): number {
  if (!(error instanceof ApiError)) throw error
  if (error.code === 'SPEC_INVALID' && error.issues.length > 0) {
    // The message lists the issues already, without the file: print them once, with it.
    err.write(`error: the server refused the experiment${file ? ` in ${file}` : ''}\n${formatIssues(error.issues, file)}\n` +
      `${error.issues.length} problem(s) found\n`)
  } else {
    const headline = error.message.split('\n')[0]!
    err.write(`error: ${headline}\n`)
    for (const issue of error.issues) {
      const line = formatIssues([issue], file)
      if (!headline.includes(line)) err.write(`  ${line}\n`)
    }
  }
  const hint = HINTS[error.code]
  if (hint) err.write(`${hint}\n`)
  return 1
}

const HINTS: Readonly<Record<string, string>> = {
  UNAUTHORIZED: 'hint: pass --token <token> or set TUNEWELL_TOKEN',
  FORBIDDEN: 'hint: this token may only read; use an admin token (--token or TUNEWELL_TOKEN)',
}
