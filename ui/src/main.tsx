import { render } from 'preact'
import { App } from './app.tsx'
import './styles.css'
import { captureTokenFromUrl } from './token.ts'

// Signed in before the first request, which would otherwise answer 401 and ask for the token.
void captureTokenFromUrl().finally(() => render(<App />, document.getElementById('app')!))
