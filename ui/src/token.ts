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
 * Signs this browser in with `token`: the server sets an HttpOnly, SameSite=Strict cookie
 * (`POST /api/v1/session`, api/routes/session.ts), and every later request, a plain download
 * link's and the event stream's included, carries it; the token itself is kept nowhere a script
 * can read. A server without that route (older) gets the token kept for this tab as before.
 * Resolves false when the server refused the token.
 */
export async function signIn(given: string): Promise<boolean> {
  let response: Response
  try {
    response = await fetch('/api/v1/session', { method: 'POST', headers: { authorization: `Bearer ${given}` } })
  } catch {
    setToken(given)
    return true
  }
  if (response.ok) {
    setToken(null)
    return true
  }
  if (response.status === 404) {
    setToken(given)
    return true
  }
  return false
}

/**
 * A token in the address (`#token=...`, which `tunewell serve` prints and which never reaches
 * the server, or `?token=...`) is removed from the address bar and this history entry at once,
 * so it is neither kept nor copied along with the URL, and then exchanged for the cookie.
 */
export async function captureTokenFromUrl(): Promise<void> {
  const url = new URL(location.href)
  const hash = new URLSearchParams(url.hash.slice(1))
  const given = hash.get('token') ?? url.searchParams.get('token')
  if (!given) return
  url.searchParams.delete('token')
  hash.delete('token')
  const rest = hash.toString()
  history.replaceState(history.state, '', url.pathname + url.search + (rest ? `#${rest}` : ''))
  // A refused token is kept for this tab, so that the prompt says it was refused.
  if (!(await signIn(given))) setToken(given)
}
