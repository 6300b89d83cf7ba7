import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The layering of docs/development.md, checked on every import of the source tree: core ←
 * algorithms ← suggestion ← lifecycle ← controller, db below them, api beside the controller
 * (both drive the one lifecycle, neither imports the other), cli on top, and the dashboard
 * (ui/src) talking HTTP only (it may share the API's types, nothing that runs).
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  algorithms: ['core'],
  db: ['core'],
  'metrics-collector': ['core', 'db'],
  suggestion: ['core', 'algorithms', 'db'],
  lifecycle: ['core', 'algorithms', 'db', 'metrics-collector', 'suggestion'],
  controller: ['core', 'algorithms', 'db', 'metrics-collector', 'suggestion', 'lifecycle'],
  api: ['core', 'algorithms', 'db', 'metrics-collector', 'suggestion', 'lifecycle'],
  cli: ['core', 'algorithms', 'db', 'metrics-collector', 'suggestion', 'lifecycle', 'controller', 'api', 'ui'],
  ui: [],
}

/**
 * Imports that break the layers and are to go, listed by file so no new one slips in; a file
 * that stops needing its entry must leave the list. None today.
 */
const KNOWN_EXCEPTIONS: ReadonlySet<string> = new Set<string>([])

const root = fileURLToPath(new URL('../../', import.meta.url))
const LAYER_ROOTS = ['core', 'algorithms', 'suggestion', 'lifecycle', 'controller', 'metrics-collector', 'db', 'api', 'cli', 'ui/src']

interface Import {
  readonly from: string
  readonly to: string
  readonly typeOnly: boolean
}

function sourceFiles(): string[] {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.tsx?$/.test(name)) files.push(relative(root, path))
    }
  }
  for (const layer of LAYER_ROOTS) walk(join(root, layer))
  return files
}

function importsOf(file: string): Import[] {
  const text = readFileSync(join(root, file), 'utf8')
  const found: Import[] = []
  // Static imports and re-exports of project files, and dynamic import('./x.ts').
  for (const m of text.matchAll(/^(import|export)(\s+type)?\b[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/gm)) {
    const target = m[3] ?? m[4]!
    found.push({ from: file, to: relative(root, resolve(root, dirname(file), target)), typeOnly: m[2] !== undefined })
  }
  return found
}

const layerOf = (file: string) => file.split('/')[0]!

describe('source imports', () => {
  const files = sourceFiles()
  const imports = files.flatMap(importsOf)

  test('every layer imports only the layers below it', () => {
    const broken = new Set<string>()
    for (const i of imports) {
      const from = layerOf(i.from)
      const to = layerOf(i.to)
      if (from === to || ALLOWED[from]?.includes(to)) continue
      if (from === 'ui' && to === 'api' && i.typeOnly) continue
      broken.add(`${i.from} -> ${to}`)
    }
    const unexpected = [...broken].filter((b) => !KNOWN_EXCEPTIONS.has(b))
    assert.deepEqual(unexpected, [], `imports against the layering (docs/development.md):\n${unexpected.join('\n')}`)
    const stale = [...KNOWN_EXCEPTIONS].filter((e) => !broken.has(e))
    assert.deepEqual(stale, [], `no longer needed, remove from KNOWN_EXCEPTIONS:\n${stale.join('\n')}`)
  })

  test('no import cycles between files', () => {
    const graph = new Map<string, string[]>(files.map((f) => [f, []]))
    for (const i of imports) if (graph.has(i.to)) graph.get(i.from)!.push(i.to)
    const state = new Map<string, 'open' | 'done'>()
    const path: string[] = []
    const cycles: string[] = []
    const visit = (file: string) => {
      state.set(file, 'open')
      path.push(file)
      for (const next of graph.get(file)!) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '))
        else if (!state.has(next)) visit(next)
      }
      path.pop()
      state.set(file, 'done')
    }
    for (const file of files) if (!state.has(file)) visit(file)
    assert.deepEqual(cycles, [], `import cycles:\n${cycles.join('\n')}`)
  })

  test('the walker sees the imports it checks (a layer import and a re-export are found)', () => {
    assert.ok(files.length > 200, `only ${files.length} source files found`)
    assert.ok(imports.some((i) => i.from.startsWith('algorithms/') && i.to.startsWith('core/')))
    assert.ok(imports.some((i) => i.from === 'metrics-collector/index.ts' && i.to === 'metrics-collector/create-metrics-parser.ts'))
  })
})
