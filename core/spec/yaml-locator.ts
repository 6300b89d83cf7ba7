import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml'
import { splitPointer } from './json-pointer.ts'

export type Position = { line: number; col: number }
export type Locate = (path: string) => Position | undefined

/**
 * Maps an issue path to where the user should look: the key of a mapping entry (where the
 * field's name is written), the start of a list item, or the closest ancestor that exists
 * when the path names something absent (a missing field, a default).
 */
export function createLocator(doc: Document | undefined, lineCounter: LineCounter): Locate {
  return (path) => {
    if (!doc) return undefined
    let node: unknown = doc.contents
    let offset = startOf(node) ?? 0
    for (const segment of splitPointer(path)) {
      if (isAlias(node)) node = node.resolve(doc)
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === segment)
        if (!pair) break
        offset = startOf(pair.key) ?? offset
        node = pair.value
      } else if (isSeq(node)) {
        const item = /^\d+$/.test(segment) ? node.items[Number(segment)] : undefined
        if (item === undefined) break
        offset = startOf(item) ?? offset
        node = item
      } else {
        break
      }
    }
    return lineCounter.linePos(offset)
  }
}

function startOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range
  return range ? range[0] : undefined
}
