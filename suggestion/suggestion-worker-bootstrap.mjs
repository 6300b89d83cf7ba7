// Worker threads do not inherit the parent's tsx loader (Node 20: `register()` in cli/bin.mjs
// and `--import tsx` act on the main thread only), so from the sources the suggestion worker
// registers tsx itself before importing its TypeScript entry. The built package has no such
// shim: there the pool starts the compiled suggestion-worker-entry.js directly.
// Same pattern as bench/quality/worker-bootstrap.mjs.
import { register } from 'tsx/esm/api'

register()
await import('./suggestion-worker-entry.ts')
