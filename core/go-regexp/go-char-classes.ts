/**
 * The named classes of Go's regexp/syntax as code-point ranges: the Perl escapes (`\d \s \w`)
 * and the POSIX bracket names (`[[:alpha:]]`). Go defines all of them over ASCII only, while
 * JavaScript's `\s` also matches \v and Unicode spaces, so they are spelled out, never passed on.
 */

/** An inclusive code-point range. */
export type CodeRange = readonly [number, number]

const r = (lo: string, hi: string = lo): CodeRange => [lo.codePointAt(0)!, hi.codePointAt(0)!]

const DIGIT = [r('0', '9')]
const WORD = [r('0', '9'), r('A', 'Z'), r('_'), r('a', 'z')]
/** Go's `\s` is `[\t\n\f\r ]`: no \v, unlike POSIX `[[:space:]]`. */
const PERL_SPACE = [r('\t', '\n'), r('\f', '\r'), r(' ')]

export const PERL_CLASSES: Readonly<Record<string, readonly CodeRange[]>> = {
  d: DIGIT,
  s: PERL_SPACE,
  w: WORD,
}

export const POSIX_CLASSES: Readonly<Record<string, readonly CodeRange[]>> = {
  alnum: [r('0', '9'), r('A', 'Z'), r('a', 'z')],
  alpha: [r('A', 'Z'), r('a', 'z')],
  ascii: [[0, 0x7f]],
  blank: [r('\t'), r(' ')],
  cntrl: [[0, 0x1f], [0x7f, 0x7f]],
  digit: DIGIT,
  graph: [r('!', '~')],
  lower: [r('a', 'z')],
  print: [r(' ', '~')],
  punct: [r('!', '/'), r(':', '@'), r('[', '`'), r('{', '~')],
  space: [r('\t', '\r'), r(' ')],
  upper: [r('A', 'Z')],
  word: WORD,
  xdigit: [r('0', '9'), r('A', 'F'), r('a', 'f')],
}

export const MAX_CODE_POINT = 0x10ffff

/** The complement of sorted, possibly overlapping ranges within 0..MAX_CODE_POINT. */
export function negateRanges(ranges: readonly CodeRange[]): CodeRange[] {
  const out: CodeRange[] = []
  let next = 0
  for (const [lo, hi] of normaliseRanges(ranges)) {
    if (lo > next) out.push([next, lo - 1])
    next = hi + 1
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT])
  return out
}

/** Sorted and merged. */
export function normaliseRanges(ranges: readonly CodeRange[]): CodeRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0])
  const out: [number, number][] = []
  for (const [lo, hi] of sorted) {
    const last = out.at(-1)
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi)
    else out.push([lo, hi])
  }
  return out
}

/** Go's Unicode general categories (unicode.Categories), which JavaScript names alike. */
const GO_CATEGORIES = new Set([
  'C', 'Cc', 'Cf', 'Co', 'Cs', 'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn',
  'N', 'Nd', 'Nl', 'No', 'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs',
])

const FOUR_LETTER_SCRIPTS = new Set(['Ahom', 'Cham', 'Kawi', 'Lisu', 'Modi', 'Newa', 'Thai', 'Toto'])

/**
 * The JavaScript (`u` flag) spelling of Go's `\p{name}`, or undefined when JavaScript does not
 * know the name. Go takes a category (`L`, `Nd`), a script by its full name (`Greek`), or `Any`;
 * JavaScript needs `Script=` before a script. Usable inside and outside a bracket class.
 */
export function unicodeClassSource(name: string, negated: boolean): string | undefined {
  const p = negated ? 'P' : 'p'
  if (name === 'Any' || GO_CATEGORIES.has(name)) return `\\${p}{${name}}`
  // Go's script names are full names with capitals (Greek, Old_Italic); JavaScript also takes
  // four-letter aliases and lower case, which Go refuses, so only Go's form is passed on.
  if (!/^[A-Z][a-z]+(?:_[A-Z][a-z]+)*$/.test(name)) return undefined
  // Four letters is the form of JavaScript's script codes (Grek, Latn); only these scripts are so named in full.
  if (name.length === 4 && !FOUR_LETTER_SCRIPTS.has(name)) return undefined
  const source = `\\${p}{Script=${name}}`
  try {
    new RegExp(source, 'u')
    return source
  } catch {
    return undefined
  }
}
