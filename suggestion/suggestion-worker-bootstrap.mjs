// Worker threads do not inherit the parent's tsx loader (Node 20: `register()` in cli/bin.mjs
// and `--import tsx` act on the main thread only), so the suggestion worker registers tsx
// itself before importing the TypeScript worker. Same pattern as bench/quality/worker-bootstrap.mjs.
import { parentPort } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const { answerAsks } = await import('./suggestion-worker.ts')
answerAsks(parentPort)
