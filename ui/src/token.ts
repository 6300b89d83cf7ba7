import { signal } from '@preact/signals'

const KEY = 'tunewell.token'

/** The bearer token for API calls; sessionStorage so it ends with the tab, never in localStorage. */
export const token = signal<string | null>(read())

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY)
  } catch {
    return null
  }
}

export function setToken(value: string | null): void {
  token.value = value
  try {
    if (value) sessionStorage.setItem(KEY, value)
    else sessionStorage.removeItem(KEY)
  } catch {
    // Storage may be disabled; the token then lasts as long as the page.
  }
}

/**
 * `?token=...` in the address (a link the server owner shares) is taken once and removed from
 * the address bar, so it does not linger in history or get copied along with the URL.
 */
export function captureTokenFromUrl(): void {
  const url = new URL(location.href)
  const given = url.searchParams.get('token')
  if (!given) return
  setToken(given)
  url.searchParams.delete('token')
  history.replaceState(history.state, '', url.pathname + url.search + url.hash)
}
