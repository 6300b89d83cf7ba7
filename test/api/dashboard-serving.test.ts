import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ensureDashboardBuilt } from '../../ui/build-ui.ts'
import { openTestApp, type TestApp } from '../helpers/test-app.ts'

describe('the dashboard under the API', () => {
  let t: TestApp
  before(async () => {
    const { dir } = await ensureDashboardBuilt()
    t = await openTestApp({ dashboardDir: dir, tokens: [{ token: 'admin-token-1234', role: 'admin' }] })
  })
  after(async () => t.close())

  test('the page and its bundle load without a token', async () => {
    for (const url of ['/', '/new', '/compare', '/compare?experiments=a,b', '/experiments/x', '/experiments/x/trials/x-1']) {
      const page = await t.app.inject({ url })
      assert.equal(page.statusCode, 200, url)
      assert.match(page.headers['content-type'] as string, /text\/html/)
      assert.match(page.body, /<div id="app">/)
    }
    const script = await t.app.inject({ url: '/assets/main.js' })
    assert.equal(script.statusCode, 200)
    assert.match(script.headers['content-type'] as string, /javascript/)
    assert.equal((await t.app.inject({ url: '/assets/main.css' })).statusCode, 200)
  })

  test('the API still needs the token, and unknown API paths keep the API\'s 404', async () => {
    assert.equal((await t.app.inject({ url: '/api/v1/experiments' })).statusCode, 401)
    const unknown = await t.app.inject({ url: '/api/v1/nothing-here', headers: { authorization: 'Bearer admin-token-1234' } })
    assert.equal(unknown.statusCode, 404)
    assert.equal((unknown.json() as { error: { code: string } }).error.code, 'ROUTE_NOT_FOUND')
    assert.equal((await t.app.inject({ url: '/assets/missing.js' })).statusCode, 404)
  })

  test('without dashboardDir nothing is served at /', async () => {
    const apiOnly = await openTestApp()
    try {
      assert.equal((await apiOnly.app.inject({ url: '/' })).statusCode, 404)
    } finally {
      await apiOnly.close()
    }
  })
})
