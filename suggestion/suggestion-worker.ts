import type { MessagePort } from 'node:worker_threads'
import { TunewellError } from '../core/errors.ts'
import type { ErrorCode } from '../core/errors.ts'
import { askAlgorithm } from './ask-algorithm.ts'
import type { AskRequest, AskResult } from './ask-algorithm.ts'

/**
 * The worker thread side of SuggestionWorkerPool (suggestion-worker-pool.ts), started through
 * suggestion-worker-entry.ts, which hands it the thread's parentPort. It answers each
 * request with exactly what askAlgorithm returns in the calling thread. Requests and replies
 * cross by structured clone, which copies the trials' Date fields as Dates (no ISO round trip
 * needed), so the algorithms see the same snapshots.
 */

export interface WorkerAsk {
  readonly id: number
  readonly request: AskRequest
}

/** What a thrown error becomes on its way back: enough to rebuild it with the same message. */
export interface WorkerFailure {
  readonly name: string
  readonly message: string
  readonly code?: ErrorCode
  readonly stack?: string
}

export type WorkerReply =
  | { readonly id: number; readonly result: AskResult }
  | { readonly id: number; readonly error: WorkerFailure }

/** Answers every request arriving on `port` with `ask` (askAlgorithm; tests wrap it). */
export function answerAsks(port: MessagePort, ask: (request: AskRequest) => Promise<AskResult> = askAlgorithm): void {
  port.on('message', async ({ id, request }: WorkerAsk) => {
    try {
      const result = await ask(request)
      port.postMessage({ id, result } satisfies WorkerReply)
    } catch (error) {
      // Also reached when the result cannot be cloned (postMessage throws DataCloneError).
      port.postMessage({ id, error: toFailure(error) } satisfies WorkerReply)
    }
  })
}

function toFailure(error: unknown): WorkerFailure {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) }
  return {
    name: error.name,
    message: error.message,
    ...(error instanceof TunewellError ? { code: error.code } : {}),
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
  }
}
