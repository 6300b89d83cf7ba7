// Worker threads do not inherit the parent's `--import tsx` loader (Node 20), so each worker
// registers tsx itself before importing the TypeScript worker.
import { register } from 'tsx/esm/api'

register()
await import('./run-worker.ts')
