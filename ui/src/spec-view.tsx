import { useMemo } from 'preact/hooks'
import { stringify } from 'yaml'
import type { ExperimentResource } from './api-types.ts'

/** The stored spec, Katib's defaults applied, as YAML. */
export function SpecView(props: { experiment: ExperimentResource }) {
  const text = useMemo(() => {
    const { apiVersion, kind, metadata, spec } = props.experiment
    return stringify({ apiVersion, kind, metadata: { name: metadata.name, ...pick(metadata, ['namespace', 'labels', 'annotations']) }, spec })
  }, [props.experiment.spec, props.experiment.metadata])
  return <pre class="code">{text}</pre>
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]))
}
