import { architectureOf, architectureText, describeOperation, layerName, summarizeArchitecture, type ArchitectureReading } from './nas-architecture.ts'

/**
 * A NAS trial's architecture in full, layer by layer: the operation with its parameters and the
 * earlier layers skipped into it. A value that is not in Katib's format is shown as it is, with
 * what is wrong with it, never dropped.
 */
export function ArchitectureView(props: { params: Readonly<Record<string, unknown>> }) {
  const reading = architectureOf(props.params)
  if (!reading) return null
  if (!reading.ok) return <RawArchitecture value={String(props.params.architecture)} reason={reading.reason} />
  const { layers, inputSizes, outputSizes } = reading.architecture
  return (
    <div class="architecture" data-testid="architecture">
      <ol class="architecture-layers">
        {layers.map((layer) => (
          <li key={layer.index}>
            {/* Spaces between the parts so the line reads (and copies) as one sentence. */}
            <span class="layer-id">L{layer.index}</span>{' '}
            <span>
              <span class="layer-op">{describeOperation(layer)}</span>
              {layer.skips.length > 0 && (
                <span class="layer-skips muted"> &lt;- skip{layer.skips.length > 1 ? 's' : ''} from {layer.skips.map(layerName).join(', ')}</span>
              )}
            </span>
          </li>
        ))}
      </ol>
      {(inputSizes || outputSizes) && (
        <p class="muted small">input {inputSizes?.join('x') ?? '?'}, output {outputSizes?.join('x') ?? '?'}; operation ids {layers.map((l) => l.operationId).join(', ')}</p>
      )}
    </div>
  )
}

function RawArchitecture(props: { value: string; reason: string }) {
  return (
    <div class="architecture" data-testid="architecture">
      <p class="small bad">Not Katib's architecture format ({props.reason}); as stored:</p>
      <pre class="code">{props.value}</pre>
    </div>
  )
}

/** One line for a table cell: every layer in short, the full view as its tooltip; a click opens it. */
export function ArchitectureCell(props: { params: Readonly<Record<string, unknown>>; onOpen?: () => void }) {
  const reading: ArchitectureReading | undefined = architectureOf(props.params)
  if (!reading) return <span class="muted">–</span>
  const line = reading.ok ? summarizeArchitecture(reading.architecture) : String(props.params.architecture)
  const full = reading.ok ? architectureText(reading.architecture) : `not Katib's architecture format (${reading.reason})`
  return (
    <button type="button" class="linklike architecture-cell" title={full} onClick={props.onOpen} data-testid="architecture-cell">
      {line}
    </button>
  )
}
