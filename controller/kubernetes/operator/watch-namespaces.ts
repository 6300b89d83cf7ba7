/** Operator mode's namespaces when `--namespaces` is not given: comma-separated, as the flag. */
export const WATCH_NAMESPACES_ENV = 'TUNEWELL_WATCH_NAMESPACES'

/** A namespace name is a DNS label (RFC 1123): lower-case letters, digits and '-', at most 63. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/**
 * `--namespaces a,b` (or TUNEWELL_WATCH_NAMESPACES): the namespaces whose Experiments operator
 * mode runs, each once; empty or absent: every namespace. A string says what is wrong.
 */
export function parseWatchNamespaces(text: string | undefined, source: string): readonly string[] | undefined | string {
  if (text === undefined || text.trim() === '') return undefined
  const names = text.split(',').map((name) => name.trim())
  const bad = names.filter((name) => name.length > 63 || !DNS_LABEL.test(name))
  if (bad.length > 0) {
    return `${source} must be namespace names separated by commas (lower-case letters, digits and '-', e.g. team-a,team-b), ` +
      `got ${bad.map((name) => JSON.stringify(name)).join(', ')} in ${JSON.stringify(text)}`
  }
  return [...new Set(names)]
}
