/** Katib's metricsCollectorSpec rules (validator.go validateMetricsCollector), run after defaults. */
import type { SpecIssue } from '../errors.ts'
import { GoRegexpError, translateGoRegexp } from '../go-regexp/translate-go-regexp.ts'
import type { Experiment } from './experiment-schema.ts'
import { joinPointer } from './json-pointer.ts'
import { showValue } from './show-value.ts'

const AT = '/spec/metricsCollectorSpec'
const FS = joinPointer(AT, 'source', 'fileSystemPath')
/** Katib's own check that a filter has a name group and a value group. */
const TWO_GROUPS = /.*\(.*\).*\(.*\).*/

export function validateMetricsCollector(experiment: Experiment, issues: SpecIssue[], warnings: SpecIssue[] = []): void {
  const spec = experiment.spec.metricsCollectorSpec ?? {}
  const kind = spec.collector?.kind ?? 'StdOut'
  const fileSystemPath = spec.source?.fileSystemPath
  // A container's filesystem needs absolute paths. The local command form has none: there a
  // relative path means the trial's own folder (see controller/local-launch.ts).
  const local = experiment.spec.trialTemplate?.command !== undefined
  const requireAbsolute = (path: string | undefined, example: string) => {
    if (local ? !path : !path?.startsWith('/')) {
      const right = local ? `a path (relative ones are inside the trial's folder), e.g. "${example}"` : `an absolute path such as "${example}" (relative paths work only with trialTemplate.command)`
      issues.push({ path: joinPointer(FS, 'path'), message: `path ${showValue(path)} is ${local ? 'empty' : 'not absolute'}; collector kind ${kind} needs ${right}` })
    }
  }
  switch (kind) {
    case 'File':
      if (fileSystemPath?.kind !== 'File') {
        issues.push({ path: joinPointer(FS, 'kind'), message: `kind ${showValue(fileSystemPath?.kind)} does not fit collector kind File; it must be "File"` })
      }
      requireAbsolute(fileSystemPath?.path, '/var/log/katib/metrics.log')
      if (fileSystemPath?.format === 'JSON' && spec.source?.filter !== undefined) {
        issues.push({ path: joinPointer(AT, 'source', 'filter'), message: 'a filter is not allowed with format JSON, whose lines are read by key; remove the filter or use format TEXT' })
      }
      break
    case 'TensorFlowEvent':
      if (fileSystemPath?.kind !== 'Directory') {
        issues.push({ path: joinPointer(FS, 'kind'), message: `kind ${showValue(fileSystemPath?.kind)} does not fit collector kind TensorFlowEvent; it must be "Directory"` })
      }
      requireAbsolute(fileSystemPath?.path, '/var/log/katib/tfevent/')
      if (fileSystemPath?.format !== undefined) {
        issues.push({ path: joinPointer(FS, 'format'), message: `format ${showValue(fileSystemPath.format)} is not allowed for collector kind TensorFlowEvent; remove it` })
      }
      break
    case 'PrometheusMetric': {
      const httpGet = spec.source?.httpGet ?? {}
      const port = String(httpGet.port ?? '')
      if (!/^\d+$/.test(port) || Number(port) <= 0) {
        issues.push({ path: joinPointer(AT, 'source', 'httpGet', 'port'), message: `port ${showValue(httpGet.port)} is invalid; collector kind PrometheusMetric needs a positive port number such as 8080` })
      }
      if (!httpGet.path?.startsWith('/')) {
        issues.push({ path: joinPointer(AT, 'source', 'httpGet', 'path'), message: `path ${showValue(httpGet.path)} is invalid; collector kind PrometheusMetric needs a path starting with "/", such as "/metrics"` })
      }
      break
    }
    case 'Custom':
      if (spec.collector?.customCollector === undefined) {
        issues.push({ path: joinPointer(AT, 'collector', 'customCollector'), message: 'customCollector is missing; collector kind Custom needs the collector container spec' })
      }
      if (fileSystemPath) {
        requireAbsolute(fileSystemPath.path, '/var/log/katib/metrics.log')
        if (fileSystemPath.kind !== 'File' && fileSystemPath.kind !== 'Directory') {
          issues.push({ path: joinPointer(FS, 'kind'), message: `kind ${showValue(fileSystemPath.kind)} is missing or invalid; collector kind Custom needs "File" or "Directory"` })
        }
      }
      break
  }
  ;(spec.source?.filter?.metricsFormat ?? []).forEach((format, i) => validateFilter(format, joinPointer(AT, 'source', 'filter', 'metricsFormat', i), issues, warnings))
}

const FILTER_EXAMPLE = '"([\\w|-]+)\\s*=\\s*([+-]?\\d*(\\.\\d+)?)"'

/**
 * Katib's webhook compiles each filter with Go's regexp and applies its textual two-groups check;
 * here the filter must also translate into the JavaScript RegExp that the collector will run,
 * so a filter is never accepted and then never matched.
 */
function validateFilter(format: string, path: string, issues: SpecIssue[], warnings: SpecIssue[]): void {
  let groups: number
  try {
    groups = translateGoRegexp(format).groups
  } catch (error) {
    if (!(error instanceof GoRegexpError)) throw error
    const what = error.kind === 'invalid' ? "is not a valid regular expression (Katib's collector compiles it with Go's regexp)" : 'cannot be run here'
    issues.push({ path, message: `filter ${showValue(format)} ${what}: ${error.message}; write one with a name group and a value group, e.g. ${FILTER_EXAMPLE}` })
    return
  }
  if (!TWO_GROUPS.test(format)) {
    issues.push({ path, message: `filter ${showValue(format)} has fewer than two groups; it needs a first group for the metric name and a second for the value, e.g. ${FILTER_EXAMPLE}` })
  } else if (groups < 2) {
    // Katib's check counts parentheses in the text, so `(?:x)(?:y)` passes it; its collector then skips every match.
    warnings.push({ path, message: `filter ${showValue(format)} has ${groups} capturing group${groups === 1 ? '' : 's'}, so no metric is ever read from it (group 1 is the name, group 2 the value); make the name and value groups capturing, e.g. ${FILTER_EXAMPLE}` })
  }
}
