import type { Browser } from 'playwright-core'

export interface PageLoad {
  /** Milliseconds from navigation to `main[data-interactive]`, as the page measured it. */
  readonly interactive_ms: number
  /** Bytes on the wire (headers and compressed bodies) of every request but the deferred ones. */
  readonly bytes_interactive: number
  /** Until the deferred charts (importance, learning curves) are drawn too. */
  readonly complete_ms: number
  readonly bytes_complete: number
  readonly requests: number
  /** Learning-curve points the page received, against the points stored. */
  readonly curve_points: number
}

/**
 * Opens the experiment page in a fresh browser context (empty cache, as a first visit) and
 * waits for the moment the page declares itself interactive (ui/src/experiment-page.tsx: header,
 * history and parallel coordinates drawn, trials table filled), then for the deferred charts.
 * Bytes are counted by the DevTools protocol as they arrive.
 */
/** What the page asks for only once it is interactive. */
const DEFERRED = /\/(importance|observations)(\?|$)/

export async function measurePageLoad(browser: Browser, url: string): Promise<PageLoad> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } })
  try {
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    let bytes = 0
    let deferredBytes = 0
    let requests = 0
    const urls = new Map<string, string>()
    cdp.on('Network.requestWillBeSent', (e: { requestId: string; request: { url: string } }) => urls.set(e.requestId, e.request.url))
    cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
      bytes += e.encodedDataLength
      if (DEFERRED.test(urls.get(e.requestId) ?? '')) deferredBytes += e.encodedDataLength
      requests += 1
    })
    let curvePoints = 0
    page.on('response', (response) => {
      if (!/\/observations\?/.test(response.url())) return
      void response.json().then((body: { items?: { points: unknown[] }[] }) => {
        for (const item of body.items ?? []) curvePoints += item.points.length
      }).catch(() => undefined)
    })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(url)
    const main = page.locator('main[data-interactive]')
    await main.waitFor({ timeout: 60_000 })
    const interactive = Number(await main.getAttribute('data-interactive'))
    await page.getByTestId('learning-curves').waitFor({ timeout: 60_000 })
    await page.getByTestId('importance-chart').waitFor({ timeout: 60_000 })
    const complete = await page.evaluate<number>('Math.round(performance.now())')
    // Let the last responses finish counting.
    await page.waitForTimeout(300)
    if (errors.length > 0) throw new Error(`the page threw: ${errors.join('; ')}`)
    return { interactive_ms: interactive, bytes_interactive: bytes - deferredBytes, complete_ms: complete, bytes_complete: bytes, requests, curve_points: curvePoints }
  } finally {
    await context.close()
  }
}
