/**
 * Simple case folding orbits (`k`, `K` and the Kelvin sign K are one orbit), for spelling out a
 * case-insensitive part of a Go regexp where JavaScript's `i` flag cannot be used because it
 * would cover the whole pattern (Node 20 has no `(?i:...)`). Each orbit is checked against
 * JavaScript's own `iu` matching, so a spelled-out part matches what the flag would match.
 */
import { normaliseRanges, type CodeRange } from './go-char-classes.ts'

/** Code points with a case partner are all below this (Adlam ends at U+1E95F). */
const SCAN_END = 0x20000

let cache: { readonly byMember: ReadonlyMap<number, readonly number[]>; readonly orbits: readonly (readonly number[])[] } | undefined

function table() {
  if (cache) return cache
  const groups = new Map<number, number[]>()
  const single = (s: string) => (s.length <= 2 && [...s].length === 1 ? s.codePointAt(0)! : undefined)
  for (let c = 0; c < SCAN_END; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue
    const s = String.fromCodePoint(c)
    const upper = s.toUpperCase()
    if (upper === s && s.toLowerCase() === s) continue
    // lower(upper(c)) is the same for the members of an orbit; multi-character mappings (ß -> SS) have no simple fold.
    const key = single(String.fromCodePoint(single(upper) ?? c).toLowerCase()) ?? c
    const group = groups.get(key) ?? [key]
    if (!group.includes(c)) group.push(c)
    groups.set(key, group)
  }
  const byMember = new Map<number, number[]>()
  const orbits: number[][] = []
  for (const [key, members] of groups) {
    const pattern = new RegExp(`^\\u{${key.toString(16)}}$`, 'iu')
    const orbit = members.filter((m) => m === key || pattern.test(String.fromCodePoint(m))).sort((a, b) => a - b)
    if (orbit.length < 2) continue
    orbits.push(orbit)
    for (const m of orbit) byMember.set(m, orbit)
  }
  cache = { byMember, orbits }
  return cache
}

/** Every code point that matches `c` case-insensitively, `c` included. */
export function foldOrbit(c: number): readonly number[] {
  return table().byMember.get(c) ?? [c]
}

/** The ranges plus every case partner of what they contain. */
export function foldRanges(ranges: readonly CodeRange[]): CodeRange[] {
  const sorted = normaliseRanges(ranges)
  const inside = (c: number) => sorted.some(([lo, hi]) => c >= lo && c <= hi)
  const added: CodeRange[] = []
  for (const orbit of table().orbits) {
    if (orbit.some(inside)) for (const m of orbit) if (!inside(m)) added.push([m, m])
  }
  return normaliseRanges([...sorted, ...added])
}
