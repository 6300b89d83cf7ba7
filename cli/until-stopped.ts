/** Resolves on SIGINT, SIGTERM or the abort signal, whichever comes first. */
export function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return watchForStop(signal).stopped
}

export interface StopWatch {
  /** Resolves on SIGINT, SIGTERM or the abort signal, whichever comes first. */
  readonly stopped: Promise<void>
  /** Lets go of the signals (a command that ends for another reason), so they act as before. */
  dispose(): void
}

/**
 * Starts listening for SIGINT, SIGTERM and the abort signal now: a command that starts for a
 * while (a server opening its database, building its dashboard, listening) catches a stop that
 * arrives meanwhile and shuts down cleanly once started, instead of dying half-started.
 */
export function watchForStop(signal: AbortSignal | undefined): StopWatch {
  let dispose = () => {}
  const stopped = new Promise<void>((resolve) => {
    const done = () => {
      dispose()
      resolve()
    }
    dispose = () => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
      signal?.removeEventListener('abort', done)
    }
    process.once('SIGINT', done)
    process.once('SIGTERM', done)
    signal?.addEventListener('abort', done)
    if (signal?.aborted) done()
  })
  return { stopped, dispose: () => dispose() }
}
