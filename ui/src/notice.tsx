import type { ComponentChildren } from 'preact'

/** Loading, empty and error states all read as a sentence in the place of the content. */
export function Notice(props: { kind?: 'loading' | 'empty' | 'error'; children: ComponentChildren }) {
  const kind = props.kind ?? 'empty'
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {kind === 'loading' && <span class="spinner" aria-hidden="true" />}
      {props.children}
    </div>
  )
}
