import { useMemo, useRef } from 'preact/hooks'
import type { Issue } from './api-types.ts'

/** Must match .editor-text's padding-top and line-height in styles.css. */
const PAD = 8
const LINE = 20

interface YamlEditorProps {
  readonly value: string
  readonly onInput: (value: string) => void
  readonly issues: readonly Issue[]
  readonly label: string
}

/**
 * A textarea with a line-number gutter; lines with problems are marked in the gutter (their
 * messages as its tooltip) and tinted behind the text. Gutter and tint scroll with the text.
 */
export function YamlEditor(props: YamlEditorProps) {
  const gutter = useRef<HTMLDivElement>(null)
  const marks = useRef<HTMLDivElement>(null)
  const lineCount = props.value.split('\n').length
  const byLine = useMemo(() => {
    const map = new Map<number, string[]>()
    for (const issue of props.issues) if (issue.line !== undefined) map.set(issue.line, [...(map.get(issue.line) ?? []), issue.message])
    return map
  }, [props.issues])
  const numbers = []
  for (let line = 1; line <= lineCount; line++) {
    const messages = byLine.get(line)
    numbers.push(
      <div key={line} class={messages ? 'gutter-line has-issue' : 'gutter-line'} title={messages?.join('\n')} data-line={line}>
        {messages ? '● ' : ''}{line}
      </div>,
    )
  }
  return (
    <div class="editor">
      <div class="gutter" ref={gutter} aria-hidden="true">{numbers}</div>
      <div class="editor-body">
        <div class="line-marks" ref={marks} aria-hidden="true">
          {[...byLine.keys()].map((line) => <div key={line} class="line-mark" style={{ top: `${PAD + (line - 1) * LINE}px` }} />)}
        </div>
        <textarea
          class="editor-text"
          value={props.value}
          spellcheck={false}
          autocapitalize="off"
          autocomplete="off"
          wrap="off"
          aria-label={props.label}
          onInput={(e) => props.onInput(e.currentTarget.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop
            if (marks.current) marks.current.style.transform = `translateY(${-e.currentTarget.scrollTop}px)`
          }}
        />
      </div>
    </div>
  )
}

/** Puts the caret at the start of a line and scrolls it into view. */
export function focusLine(container: HTMLElement | null, line: number): void {
  const area = container?.querySelector('textarea')
  if (!area) return
  const lines = area.value.split('\n')
  const offset = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0)
  area.focus()
  area.setSelectionRange(offset, offset)
  const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 20
  area.scrollTop = Math.max(0, (line - 3) * lineHeight)
}
