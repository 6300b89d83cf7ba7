import type { ComponentChildren } from 'preact'
import { navigate } from './router.ts'

/** An ordinary link (middle-click, copy address work) that navigates in the page on a plain click. */
export function Link(props: { href: string; class?: string; children: ComponentChildren; title?: string }) {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(props.href)
  }
  return <a href={props.href} class={props.class} title={props.title} onClick={onClick}>{props.children}</a>
}
