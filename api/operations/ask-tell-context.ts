import type { Store } from '../../db/store.ts'
import type { SuggestionService } from '../../suggestion/suggestion-service.ts'
import type { EarlyStoppingRule } from './early-stopping.ts'
import type { WorkerBatches } from './worker-batches.ts'

/** What the ask/tell operations share: built once per app by routes/ask-tell.ts. */
export interface AskTellContext {
  readonly store: Store
  readonly suggestions: SuggestionService
  readonly batches: WorkerBatches
  readonly heartbeatTimeoutSeconds: number
  readonly earlyStopping?: EarlyStoppingRule
}
