import type { SpecIssue } from '../errors.ts'
import type { Locate } from './yaml-locator.ts'

/**
 * Builds an issue with the source position of `path`, for layers that check a parsed
 * experiment further (e.g. the algorithm registry: unknown algorithmName, bad settings).
 * Pass `parsed.locate` from parseExperimentYaml, or nothing for JSON input.
 */
export function issueAt(locate: Locate | undefined, path: string, message: string): SpecIssue {
  const position = locate?.(path)
  return position ? { path, message, line: position.line, col: position.col } : { path, message }
}
