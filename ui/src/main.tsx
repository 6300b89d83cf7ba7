import { render } from 'preact'
import { App } from './app.tsx'
import './styles.css'
import { captureTokenFromUrl } from './token.ts'

captureTokenFromUrl()
render(<App />, document.getElementById('app')!)
