import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureDashboardBuilt } from '../../ui/build-ui.ts'
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts'

const missing = chromiumMissing()
const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * `tunewell serve` started from a folder of its own (not the repository), with a token, as a user
 * starts it: the dashboard URL it prints signs the browser in (the token goes into an HttpOnly,
 * SameSite=Strict cookie and out of the address bar and history), and the New-experiment page's
 * template runs as shown there (its trial program is part of it, not a path under examples/).
 */
describe('serve from any folder: the printed dashboard URL signs in, the template runs', { skip: missing }, () => {
  test('open the printed URL, reload, create the template as shown, its trials succeed; the cookie opens no cross-site hole', { timeout: 240_000 }, async () => {
    await ensureDashboardBuilt()
    const folder = mkdtempSync(join(tmpdir(), 'tunewell-anywhere-'))
    const token = 'sign-in-test-token-7c41e09b2d'
    const output = { out: '', err: '' }
    // The folder's own embedded database, whatever DATABASE_URL says: the test is about a serve
    // started anywhere, and its page must be empty at first (a shared PostgreSQL database holds the
    // other tests' experiments, and perhaps another "my-experiment").
    const { DATABASE_URL: _shared, ...env } = process.env
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
      cwd: folder, env: { ...env, TUNEWELL_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.on('data', (chunk: Buffer) => { output.out += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output.err += chunk.toString() })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    try {
      for (let i = 0; i < 1200 && !/dashboard: \S+/.test(output.out) && child.exitCode === null; i++) await sleep(100)
      const printed = /dashboard: (\S+)/.exec(output.out)?.[1]
      assert.ok(printed, `serve printed a dashboard URL:\n${output.out}\n${output.err}`)
      assert.match(printed, new RegExp(`/#token=${token}$`))
      const base = new URL(printed).origin
      const api = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } })
      type Status = { state: string; trialsSucceeded: number; trialsFailed: number; trialMetricsUnavailable: number; currentOptimalTrial: { bestTrialName: string } }
      const experiment = async () => (await (await api('/api/v1/experiments/my-experiment')).json()) as { status: Status }

      browser = await launchChromium()
      const context = await browser.newContext()
      const page = await context.newPage()
      const seen: string[] = []
      page.on('request', (request) => seen.push(request.url()))
      await page.goto(printed)
      await page.getByText('No experiments yet').waitFor({ timeout: 60_000 })
      assert.equal(await page.getByRole('dialog').count(), 0, 'no token prompt: the URL signed the browser in')
      assert.ok(!page.url().includes(token), `the token is gone from the address bar: ${page.url()}`)
      // The new tab's about:blank and this page: the entry with the token was replaced, not kept behind it.
      assert.equal(await page.evaluate('history.length'), 2, 'no history entry kept the token')
      assert.equal(await page.evaluate(`sessionStorage.getItem('tunewell.token')`), null, 'nor the tab storage')
      assert.ok(seen.every((u) => !u.includes(token)), 'after # the token never went to the server in a URL')
      const cookie = (await context.cookies()).find((c) => c.name === 'tunewell_token')
      assert.ok(cookie, 'signed in with a cookie')
      assert.equal(cookie.httpOnly, true)
      assert.equal(cookie.sameSite, 'Strict')
      assert.equal(await page.evaluate('document.cookie'), '', 'no script can read it')

      await page.reload()
      await page.getByText('No experiments yet').waitFor({ timeout: 60_000 })
      assert.equal(await page.getByRole('dialog').count(), 0, 'a reload stays signed in')

      // The template as shown, from a folder with no examples/ in it.
      await page.getByRole('link', { name: 'New experiment' }).click()
      await page.getByTestId('check-status').getByText('Valid').waitFor({ timeout: 60_000 })
      await page.getByRole('button', { name: 'Create experiment' }).click()
      await page.waitForURL('**/experiments/my-experiment', { timeout: 60_000 })
      let status: Status | undefined
      for (let i = 0; i < 1200; i++) {
        status = (await experiment()).status
        if (status!.trialsSucceeded >= 3 || status!.trialsFailed > 0 || status!.trialMetricsUnavailable > 0) break
        await sleep(100)
      }
      assert.equal(status?.trialsFailed, 0, `no trial failed: ${JSON.stringify(status)}`)
      assert.equal(status?.trialMetricsUnavailable, 0)
      assert.ok(status!.trialsSucceeded >= 3, `three trials succeeded: ${JSON.stringify(status)}`)
      const best = (await experiment()).status.currentOptimalTrial
      assert.ok(best.bestTrialName, 'with a best trial')

      // Signed in by the cookie, the page's own requests change things (Stop, from the page) ...
      await page.getByRole('button', { name: 'Stop' }).click()
      for (let i = 0; i < 600; i++) {
        if ((await experiment()).status.state === 'Succeeded') break
        await sleep(100)
      }
      assert.equal((await experiment()).status.state, 'Succeeded')
      // ... but the cookie alone, without the page's Origin, or from another origin, changes nothing.
      const jar = `tunewell_token=${token}`
      const bare = await fetch(`${base}/api/v1/experiments/my-experiment:resume`, { method: 'POST', headers: { cookie: jar } })
      assert.equal(bare.status, 403)
      assert.equal(((await bare.json()) as { error: { code: string } }).error.code, 'CROSS_ORIGIN')
      const foreign = await fetch(`${base}/api/v1/experiments/my-experiment:resume`, { method: 'POST', headers: { cookie: jar, origin: 'http://127.0.0.1:1' } })
      assert.equal(foreign.status, 403)
      assert.equal((await fetch(`${base}/api/v1/experiments`, { headers: { cookie: jar } })).status, 200, 'reads need no Origin')
      assert.equal((await fetch(`${base}/api/v1/experiments`, { headers: { cookie: 'tunewell_token=wrong' } })).status, 401)
      const session = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { cookie: jar, origin: base } })
      assert.equal(session.status, 400, 'the cookie cannot renew itself')
    } finally {
      await browser?.close()
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
