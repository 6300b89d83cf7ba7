import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { packageVersion } from '../../api/package-version.ts'

test('packageVersion: the repository\'s version, from the sources', () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  assert.equal(packageVersion(), version)
})

test('packageVersion: the nearest package.json upwards, as from the compiled dist/api/', () => {
  const root = mkdtempSync(join(tmpdir(), 'tunewell-version-'))
  try {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'tunewell', version: '9.8.7' }))
    mkdirSync(join(root, 'dist', 'api'), { recursive: true })
    assert.equal(packageVersion(pathToFileURL(join(root, 'dist', 'api', 'app.js')).href), '9.8.7')
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})
