import { useState } from 'preact/hooks'
import { authRequired } from './api-client.ts'
import { setToken, signIn, token } from './token.ts'

/** Shown when the API answered 401: the server has tokens and this tab has none (or a wrong one). */
export function TokenPrompt() {
  const [value, setValue] = useState('')
  if (!authRequired.value) return null
  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="token-title">
      <form
        class="dialog"
        onSubmit={async (e) => {
          e.preventDefault()
          if (!value.trim()) return
          // Signed in with a cookie (or, on an older server, the token kept for this tab); a refused token is asked for again.
          setToken(null)
          if (!(await signIn(value.trim()))) setToken(value.trim())
          // Every view reads again signed in: the simplest way is to load the page anew.
          location.reload()
        }}
      >
        <h2 id="token-title">This server needs a token</h2>
        <p class="muted">
          {token.value ? 'The token of this tab was refused. ' : ''}Paste an admin or read-only token (from <code>TUNEWELL_TOKEN</code> or
          the <code>--tokens</code> file). This browser stays signed in until it closes. A link with <code>#token=…</code> works too.
        </p>
        <input type="password" autoFocus autocomplete="off" aria-label="Token" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <div class="actions"><button class="button primary" type="submit">Use token</button></div>
      </form>
    </div>
  )
}
