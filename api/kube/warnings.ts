import type { SpecIssue } from '../../core/errors.ts'
import { fieldPath } from './kube-status.ts'

/**
 * Warnings for a Kubernetes client, each becoming one `Warning: 299 - "text"` header, which
 * kubectl prints as `Warning: text` and client-go hands to its warning handler.
 */
export function issueWarnings(issues: readonly SpecIssue[]): string[] {
  return issues.map((issue) => (issue.path ? `${fieldPath(issue.path)}: ${issue.message}` : issue.message))
}

/**
 * The header values: code 299, no agent, the text quoted as RFC 7234 asks (quotes and
 * backslashes escaped, one line); characters a header cannot carry become `?`.
 */
export function warningHeaders(warnings: readonly string[]): string[] {
  return warnings.map((text) => {
    const line = text.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?')
    return `299 - "${line.replace(/[\\"]/g, (c) => `\\${c}`)}"`
  })
}
