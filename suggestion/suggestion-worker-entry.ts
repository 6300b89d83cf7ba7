import { parentPort } from 'node:worker_threads'
import { answerAsks } from './suggestion-worker.ts'

// The suggestion worker thread's entry module (SuggestionWorkerPool starts it): compiled, it is
// loaded as it is; from the sources, through suggestion-worker-bootstrap.mjs, which registers tsx.
answerAsks(parentPort!)
