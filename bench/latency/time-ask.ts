/** One timed call: its wall time, and the longest stretch it kept the event loop busy. */
export interface AskTiming {
  readonly totalMs: number
  readonly longestBlockMs: number
}

/**
 * Times `ask` with process.hrtime.bigint. An immediate re-armed on every loop turn records the
 * gaps between turns: for a synchronous algorithm no turn happens until it returns, so the
 * longest block equals the total; an algorithm that yields (awaits between chunks of work)
 * shows its longest chunk. That is what a server handling other requests would feel.
 */
export async function timeAsk(ask: () => Promise<unknown>): Promise<AskTiming> {
  let running = true
  let longest = 0n
  const start = process.hrtime.bigint()
  let last = start
  const turn = (): void => {
    if (!running) return
    const now = process.hrtime.bigint()
    if (now - last > longest) longest = now - last
    last = now
    setImmediate(turn)
  }
  setImmediate(turn)
  await ask()
  const end = process.hrtime.bigint()
  running = false
  if (end - last > longest) longest = end - last
  return { totalMs: Number(end - start) / 1e6, longestBlockMs: Number(longest) / 1e6 }
}
