/**
 * Katib's collectors compile `metricsFormat` filters with Go's regexp (RE2 syntax, Perl flags).
 * This reads that syntax exactly as Go's regexp/syntax parser does and writes a JavaScript
 * RegExp (`u` flag) that matches the same text, with the same capture groups in the same order,
 * so the name and value groups Katib reads are groups 1 and 2 here too. What Go refuses is
 * refused with Go's reason; the one thing Node 20 cannot express is refused with that reason.
 *
 * How the differences are bridged:
 * - flags `i m s U`, as `(?flags)` anywhere (to the end of the enclosing group) or `(?flags:re)`:
 *   `m`, `s` and `U` are applied while translating (`^`, `$`, `.` and greediness are written
 *   out), `i` becomes JavaScript's `i` flag when it covers every letter of the pattern, and is
 *   otherwise spelled out as case classes (`[kK\u{212a}]`);
 * - `\Q...\E`, `\A`, `\z`, octal `\123`, `\x{263a}`, `\pN`, `\p{Greek}`, `\P{^L}`, POSIX classes
 *   `[[:alpha:]]` and Go's ASCII-only `\d \s \w` are spelled in JavaScript's terms;
 * - `(?P<name>re)` and `(?<name>re)` become plain groups: Katib reads groups by number, and Go
 *   allows names (duplicates, leading digits) that JavaScript does not.
 */
import { foldOrbit, foldRanges } from './case-fold-orbits.ts'
import { negateRanges, PERL_CLASSES, POSIX_CLASSES, unicodeClassSource, type CodeRange } from './go-char-classes.ts'

/** A pattern Go's regexp refuses (`invalid`), or one JavaScript on Node 20 cannot express. */
export class GoRegexpError extends Error {
  constructor(
    readonly kind: 'invalid' | 'untranslatable',
    reason: string,
  ) {
    super(reason)
    this.name = 'GoRegexpError'
  }
}

export interface GoRegexpTranslation {
  /** JavaScript source, to be compiled with `flags`. */
  readonly source: string
  /** `u`, or `iu` when the whole pattern is case-insensitive. */
  readonly flags: string
  /** Capture groups, named ones included (Go's NumSubexp). */
  readonly groups: number
}

/**
 * Translations by pattern: every trial's collector compiles its experiment's filters (Katib's
 * default one for StdOut), and a translation is two passes over the pattern. Pure, so cached;
 * bounded, since patterns come from submitted documents. Refusals are not cached.
 */
const translations = new Map<string, GoRegexpTranslation>()
const MAX_CACHED = 256

/** Throws GoRegexpError. */
export function translateGoRegexp(pattern: string): GoRegexpTranslation {
  const cached = translations.get(pattern)
  if (cached) return cached
  const translation = translateAnew(pattern)
  if (translations.size >= MAX_CACHED) translations.delete(translations.keys().next().value!)
  translations.set(pattern, translation)
  return translation
}

function translateAnew(pattern: string): GoRegexpTranslation {
  const probe = new Translator(pattern, 'probe')
  probe.run()
  const { caseFolds } = probe
  // Only when some letters are case-insensitive and others not must the folds be spelled out.
  const mode: FoldMode = caseFolds.has(true) ? (caseFolds.has(false) ? 'spell' : 'flag') : 'none'
  const translator = new Translator(pattern, mode)
  const source = translator.run()
  return { source, flags: mode === 'flag' ? 'iu' : 'u', groups: translator.groups }
}

/** `extraFlags` such as `gd` are added to the translation's own. Throws GoRegexpError. */
export function compileGoRegexp(pattern: string, extraFlags = ''): RegExp {
  const { source, flags } = translateGoRegexp(pattern)
  return new RegExp(source, [...new Set(flags + extraFlags)].join(''))
}

type FoldMode = 'probe' | 'none' | 'flag' | 'spell'

interface Flags {
  readonly i: boolean
  readonly m: boolean
  readonly s: boolean
  readonly U: boolean
}

interface Atom {
  readonly text: string
  /** Whether a quantifier may follow `text` as it is (a group, a class or one character). */
  readonly quantifiable: boolean
}

interface Frame {
  readonly open: string
  readonly outerFlags: Flags
  readonly branches: string[]
  atoms: Atom[]
}

/** Go's limits: repeat counts (`{1001}` is an error) and group nesting. */
const MAX_REPEAT = 1000
const MAX_NESTING = 1000

class Translator {
  readonly #chars: string[]
  readonly #mode: FoldMode
  #pos = 0
  #flags: Flags = { i: false, m: false, s: false, U: false }
  /** The flags outside the group `#groupOpen` last opened, restored at its `)`. */
  #flagsBeforeGroup: Flags = this.#flags
  groups = 0
  /** Probe pass: the `i` state of every case-sensitive part (a letter, a class with letters). */
  readonly caseFolds = new Set<boolean>()

  constructor(
    readonly pattern: string,
    mode: FoldMode,
  ) {
    this.#chars = [...pattern]
    this.#mode = mode
  }

  run(): string {
    const stack: Frame[] = []
    let frame: Frame = { open: '', outerFlags: this.#flags, branches: [], atoms: [] }
    let lastRepeat = ''
    const chars = this.#chars
    while (this.#pos < chars.length) {
      const c = chars[this.#pos]!
      const start = this.#pos
      let repeat = ''
      switch (c) {
        case '(': {
          const open = this.#groupOpen()
          if (open !== undefined) {
            if (stack.length >= MAX_NESTING) throw invalid('expression nests too deeply')
            stack.push(frame)
            frame = { open, outerFlags: this.#flagsBeforeGroup, branches: [], atoms: [] }
          }
          break
        }
        case '|':
          frame.branches.push(frame.atoms.map((a) => a.text).join(''))
          frame.atoms = []
          this.#pos++
          break
        case ')': {
          const outer = stack.pop()
          if (!outer) throw invalid(`unexpected ): \`${this.pattern}\``)
          const body = [...frame.branches, frame.atoms.map((a) => a.text).join('')].join('|')
          this.#flags = frame.outerFlags
          outer.atoms.push({ text: `${frame.open}${body})`, quantifiable: true })
          frame = outer
          this.#pos++
          break
        }
        case '^':
          frame.atoms.push({ text: this.#flags.m ? '(?:^|(?<=\\n))' : '^', quantifiable: false })
          this.#pos++
          break
        case '$':
          frame.atoms.push({ text: this.#flags.m ? '(?:$|(?=\\n))' : '$', quantifiable: false })
          this.#pos++
          break
        case '.':
          frame.atoms.push({ text: this.#flags.s ? '[^]' : '[^\\n]', quantifiable: true })
          this.#pos++
          break
        case '[':
          frame.atoms.push(this.#bracketClass())
          break
        case '*':
        case '+':
        case '?': {
          this.#pos++
          const lazy = chars[this.#pos] === '?'
          if (lazy) this.#pos++
          repeat = chars.slice(start, this.#pos).join('')
          this.#quantify(frame, lastRepeat, repeat, c, lazy)
          break
        }
        case '{': {
          const counts = this.#repeatCounts()
          if (!counts) {
            frame.atoms.push(this.#literal(0x7b))
            this.#pos++
            break
          }
          const [min, max] = counts
          const lazy = chars[this.#pos] === '?'
          if (lazy) this.#pos++
          repeat = chars.slice(start, this.#pos).join('')
          if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) throw invalid(`invalid repeat count: \`${repeat.replace(/\?$/, '')}\``)
          this.#quantify(frame, lastRepeat, repeat, max === min ? `{${min}}` : `{${min},${max < 0 ? '' : max}}`, lazy)
          break
        }
        case '\\':
          frame.atoms.push(...this.#escape())
          break
        default:
          frame.atoms.push(this.#literal(c.codePointAt(0)!))
          this.#pos++
      }
      lastRepeat = repeat
    }
    if (stack.length > 0) throw invalid(`missing closing ): \`${this.pattern}\``)
    return [...frame.branches, frame.atoms.map((a) => a.text).join('')].join('|')
  }

  #quantify(frame: Frame, lastRepeat: string, repeat: string, op: string, lazy: boolean): void {
    // Go, like Perl, refuses a stacked repetition (`a**`) rather than reading it as a doubled one.
    if (lastRepeat !== '') throw invalid(`invalid nested repetition operator: \`${lastRepeat}${repeat}\``)
    const last = frame.atoms.pop()
    if (!last) throw invalid(`missing argument to repetition operator: \`${repeat}\``)
    const base = last.quantifiable ? last.text : `(?:${last.text})`
    // U swaps what `*` and `*?` mean.
    frame.atoms.push({ text: `${base}${op}${lazy !== this.#flags.U ? '?' : ''}`, quantifiable: false })
  }

  /** At `(`: a group's JavaScript opening, or undefined for a flag setting `(?i)`, which only changes the flags. */
  #groupOpen(): string | undefined {
    const chars = this.#chars
    const start = this.#pos
    if (chars[start + 1] !== '?') {
      this.#pos++
      this.groups++
      this.#flagsBeforeGroup = this.#flags
      return '('
    }
    const named = chars[start + 2] === 'P' && chars[start + 3] === '<' ? start + 4 : chars[start + 2] === '<' ? start + 3 : -1
    if (named >= 0) {
      const end = chars.indexOf('>', named)
      const name = end < 0 ? undefined : chars.slice(named, end).join('')
      if (name === undefined || !/^[A-Za-z0-9_]+$/.test(name)) {
        const shown = end < 0 ? chars.slice(start).join('') : chars.slice(start, end + 1).join('')
        const hint = /^[=!]/.test(chars[named] ?? '') ? '; Go has no lookbehind' : '; write (?P<name>re) with a name of letters, digits and _'
        throw invalid(`invalid named capture: \`${shown}\`${hint}`)
      }
      this.#pos = end + 1
      this.groups++
      this.#flagsBeforeGroup = this.#flags
      return '('
    }
    // Perl flags: (?i) (?-s) (?im-sU) or the same with `:` opening a group.
    let { i, m, s, U } = this.#flags
    let sign = true
    let sawFlag = false
    for (let p = start + 2; p < chars.length; p++) {
      const c = chars[p]!
      if (c === 'i') i = sign
      else if (c === 'm') m = sign
      else if (c === 's') s = sign
      else if (c === 'U') U = sign
      else if (c === '-' && sign) {
        sign = false
        sawFlag = false
        continue
      } else if ((c === ':' || c === ')') && (sign || sawFlag)) {
        this.#pos = p + 1
        this.#flagsBeforeGroup = this.#flags
        this.#flags = { i, m, s, U }
        return c === ':' ? '(?:' : undefined
      } else {
        throw invalid(`invalid or unsupported Perl syntax: \`${chars.slice(start, p + 1).join('')}\`${perlHint(chars.slice(start, p + 2).join(''))}`)
      }
      sawFlag = true
    }
    throw invalid(`missing closing ): \`${this.pattern}\``)
  }

  /** At `{`: [min, max] (max -1 for no bound) when it is Go's repeat syntax, else undefined (a literal `{`). */
  #repeatCounts(): [number, number] | undefined {
    const rest = this.#chars.slice(this.#pos, this.#pos + 24).join('')
    // Go takes no leading zeros, and `{,n}` is no repeat.
    const m = /^\{(0|[1-9]\d*)(?:(,)(0|[1-9]\d*)?)?\}/.exec(rest)
    if (!m) return undefined
    this.#pos += [...m[0]].length
    const min = Number(m[1])
    const max = m[2] === undefined ? min : m[3] === undefined ? -1 : Number(m[3])
    return [min, max]
  }

  /** At `\` outside a class. */
  #escape(): Atom[] {
    const chars = this.#chars
    const next = chars[this.#pos + 1]
    switch (next) {
      case undefined:
        throw invalid('trailing backslash at end of expression')
      case 'A':
        this.#pos += 2
        return [{ text: '^', quantifiable: false }]
      case 'z':
        this.#pos += 2
        return [{ text: '$', quantifiable: false }]
      case 'b':
      case 'B':
        this.#pos += 2
        return [{ text: `\\${next}`, quantifiable: false }]
      case 'C':
        throw invalid('invalid escape sequence: `\\C`; Go matches text as UTF-8 characters and has no "any byte"')
      case 'Q': {
        // Everything up to \E (or the end) is literal text.
        const end = this.pattern.indexOf('\\E', this.#offset(this.#pos + 2))
        const text = end < 0 ? chars.slice(this.#pos + 2).join('') : this.pattern.slice(this.#offset(this.#pos + 2), end)
        this.#pos += 2 + [...text].length + (end < 0 ? 0 : 2)
        return [...text].map((t) => this.#literal(t.codePointAt(0)!))
      }
      case 'p':
      case 'P': {
        // `[^\p{Lu}]` rather than `\P{Lu}`: under JavaScript's i flag only the former excludes the
        // case partners too, as Go's negation of the folded class does.
        const { source, negated } = this.#unicodeClass()
        return [this.#classAtom([], [source], negated)]
      }
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
        this.#pos += 2
        return [this.#classAtom(this.#namedRanges(PERL_CLASSES[next.toLowerCase()]!, next !== next.toLowerCase()), [], false)]
      default:
        return [this.#literal(this.#escapedChar())]
    }
  }

  /** Go's parseEscape, at `\`: the character an escape stands for. */
  #escapedChar(): number {
    const chars = this.#chars
    const start = this.#pos
    const c = chars[start + 1]
    if (c === undefined) throw invalid('trailing backslash at end of expression')
    this.#pos += 2
    const bad = () => invalid(`invalid escape sequence: \`${chars.slice(start, this.#pos).join('')}\`${escapeHint(c)}`)
    const octal = (d: string | undefined) => d !== undefined && d >= '0' && d <= '7'
    if (c.length === 1 && c < '\x80' && !/[A-Za-z0-9]/.test(c)) return c.charCodeAt(0)
    if (c >= '1' && c <= '7' && !octal(chars[this.#pos])) throw invalid(`invalid escape sequence: \`\\${c}\`; Go has no backreferences`)
    if (c >= '0' && c <= '7') {
      let value = Number(c)
      for (let k = 0; k < 2 && octal(chars[this.#pos]); k++) value = value * 8 + Number(chars[this.#pos++])
      return value
    }
    switch (c) {
      case 'x': {
        if (chars[this.#pos] === '{') {
          const end = chars.indexOf('}', this.#pos)
          const hex = end < 0 ? '' : chars.slice(this.#pos + 1, end).join('')
          this.#pos = end < 0 ? chars.length : end + 1
          if (!/^[0-9A-Fa-f]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw bad()
          return parseInt(hex, 16)
        }
        const hex = chars.slice(this.#pos, this.#pos + 2).join('')
        this.#pos += Math.min(2, chars.length - this.#pos)
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw bad()
        return parseInt(hex, 16)
      }
      case 'a':
        return 7
      case 'f':
        return 12
      case 'n':
        return 10
      case 'r':
        return 13
      case 't':
        return 9
      case 'v':
        return 11
      default:
        throw bad()
    }
  }

  /** At `\p` or `\P`: the JavaScript class items of the class and of its complement, and whether Go negates it. */
  #unicodeClass(): { source: string; negatedSource: string; negated: boolean; shown: string } {
    const chars = this.#chars
    const start = this.#pos
    let negated = chars[start + 1] === 'P'
    let name: string
    if (chars[start + 2] === '{') {
      const end = chars.indexOf('}', start + 3)
      if (end < 0) throw invalid(`invalid character class range: \`${chars.slice(start).join('')}\` (missing })`)
      name = chars.slice(start + 3, end).join('')
      this.#pos = end + 1
    } else {
      if (chars[start + 2] === undefined) throw invalid(`invalid character class range: \`${chars.slice(start).join('')}\``)
      name = chars[start + 2]!
      this.#pos = start + 3
    }
    const shown = chars.slice(start, this.#pos).join('')
    if (name.startsWith('^')) {
      negated = !negated
      name = name.slice(1)
    }
    const source = unicodeClassSource(name, false)
    if (!source) throw invalid(`invalid character class range: \`${shown}\`; Go knows Unicode categories such as L or Nd, scripts such as Greek, and Any`)
    this.caseFolds.add(this.#flags.i)
    if (this.#mode === 'spell' && this.#flags.i) {
      throw new GoRegexpError('untranslatable', `\`${shown}\` in a case-insensitive part that does not cover the whole pattern cannot be written in a JavaScript regular expression on Node 20; put (?i) at the very start of the pattern, or list the characters`)
    }
    return { source, negatedSource: unicodeClassSource(name, true)!, negated, shown }
  }

  /** At `[`: Go's parseClass. */
  #bracketClass(): Atom {
    const chars = this.#chars
    const start = this.#pos
    this.#pos++
    const negated = chars[this.#pos] === '^'
    if (negated) this.#pos++
    const ranges: CodeRange[] = []
    const extras: string[] = []
    const missing = () => invalid(`missing closing ]: \`${chars.slice(start).join('')}\``)
    let first = true
    while (first || chars[this.#pos] !== ']') {
      if (this.#pos >= chars.length) throw missing()
      first = false
      const c = chars[this.#pos]
      if (c === '[' && chars[this.#pos + 1] === ':') {
        const end = this.pattern.indexOf(':]', this.#offset(this.#pos + 2))
        if (end >= 0) {
          const text = this.pattern.slice(this.#offset(this.#pos), end + 2)
          const name = text.slice(2, -2)
          const table = POSIX_CLASSES[name.replace(/^\^/, '')]
          if (!table || !Object.hasOwn(POSIX_CLASSES, name.replace(/^\^/, ''))) {
            throw invalid(`invalid character class range: \`${text}\`; the POSIX classes are ${Object.keys(POSIX_CLASSES).map((k) => `[:${k}:]`).join(' ')}`)
          }
          ranges.push(...this.#namedRanges(table, name.startsWith('^')))
          this.#pos += [...text].length
          continue
        }
      }
      if (c === '\\' && (chars[this.#pos + 1] === 'p' || chars[this.#pos + 1] === 'P')) {
        const { source, negatedSource, negated: itemNegated, shown } = this.#unicodeClass()
        // JavaScript's i flag folds a negated item after negating it, Go before; only unnegated they agree.
        if (itemNegated && this.#flags.i) {
          throw new GoRegexpError('untranslatable', `a negated Unicode class \`${shown}\` inside [...] of a case-insensitive pattern cannot be written in a JavaScript regular expression with Go's meaning; write it outside the brackets, or without (?i)`)
        }
        extras.push(itemNegated ? negatedSource : source)
        continue
      }
      const perl = c === '\\' ? chars[this.#pos + 1] : undefined
      if (perl !== undefined && 'dDsSwW'.includes(perl)) {
        ranges.push(...this.#namedRanges(PERL_CLASSES[perl.toLowerCase()]!, perl !== perl.toLowerCase()))
        this.#pos += 2
        continue
      }
      const from = this.#pos
      const lo = this.#classChar(missing)
      let hi = lo
      if (chars[this.#pos] === '-' && this.#pos + 1 < chars.length && chars[this.#pos + 1] !== ']') {
        this.#pos++
        hi = this.#classChar(missing)
        if (hi < lo) throw invalid(`invalid character class range: \`${chars.slice(from, this.#pos).join('')}\``)
      }
      ranges.push(...this.#folded([[lo, hi]]))
    }
    this.#pos++
    return this.#classAtom(ranges, extras, negated)
  }

  #classChar(missing: () => GoRegexpError): number {
    const c = this.#chars[this.#pos]
    if (c === undefined) throw missing()
    if (c === '\\') return this.#escapedChar()
    this.#pos++
    return c.codePointAt(0)!
  }

  /** A Perl or POSIX class, folded before it is negated, as Go does. */
  #namedRanges(table: readonly CodeRange[], negated: boolean): CodeRange[] {
    const folded = this.#folded(table)
    if (!negated) return folded
    // Under JavaScript's i flag too: a complement holding ſ but not s would match s again.
    return negateRanges(this.#flags.i ? foldRanges(table) : folded)
  }

  #folded(ranges: readonly CodeRange[]): CodeRange[] {
    if (ranges.some(([lo, hi]) => hi >= 0x80 || (lo <= 0x7a && hi >= 0x41))) this.caseFolds.add(this.#flags.i)
    return this.#mode === 'spell' && this.#flags.i ? foldRanges(ranges) : [...ranges]
  }

  #classAtom(ranges: readonly CodeRange[], extras: readonly string[], negated: boolean): Atom {
    const items = ranges.map(([lo, hi]) => (lo === hi ? charSource(lo) : `${charSource(lo)}-${charSource(hi)}`))
    return { text: `[${negated ? '^' : ''}${items.join('')}${extras.join('')}]`, quantifiable: true }
  }

  #literal(c: number): Atom {
    const s = String.fromCodePoint(c)
    if (s.toLowerCase() !== s || s.toUpperCase() !== s) this.caseFolds.add(this.#flags.i)
    if (this.#mode === 'spell' && this.#flags.i) {
      const orbit = foldOrbit(c)
      if (orbit.length > 1) return { text: `[${orbit.map(charSource).join('')}]`, quantifiable: true }
    }
    return { text: charSource(c), quantifiable: true }
  }

  /** The UTF-16 offset of a code-point index, for searching the pattern text. */
  #offset(index: number): number {
    return this.#chars.slice(0, index).join('').length
  }
}

function invalid(reason: string): GoRegexpError {
  return new GoRegexpError('invalid', reason)
}

/** A character as it may stand anywhere in a `u`-flag pattern, in or out of a class. */
function charSource(c: number): string {
  const s = String.fromCodePoint(c)
  if (s === '-') return '\\x2d'
  if ('^$\\.*+?()[]{}|/'.includes(s)) return `\\${s}`
  return c >= 0x20 && c < 0x7f ? s : `\\u{${c.toString(16)}}`
}

function perlHint(seen: string): string {
  if (/^\(\?[=!]/.test(seen) || /^\(\?<[=!]/.test(seen)) return '; Go has no lookahead or lookbehind'
  if (seen.startsWith('(?P=')) return '; Go has no backreferences'
  return '; Go takes the flags i, m, s and U, as in (?i) or (?i:...)'
}

function escapeHint(c: string): string {
  if (c === 'Z') return '; use \\z for the end of the text'
  if (c === 'u') return '; write \\x{263a} for a character by its code'
  if (c === 'k' || c === 'g') return '; Go has no backreferences'
  if (c === 'h' || c === 'R' || c === 'X' || c === 'K' || c === 'G') return '; Go does not support this escape'
  if (/[A-Za-z0-9]/.test(c)) return ''
  return '; only ASCII punctuation may be escaped'
}
