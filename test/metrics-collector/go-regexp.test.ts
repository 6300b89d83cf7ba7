/**
 * Katib's `metricsFormat` filters are Go regexps. Each row is a pattern as a user writes it for
 * Katib, lines with what Go's FindAllStringSubmatch gives as groups 1 and 2 on them, and lines
 * it must not match; then patterns Go refuses or Node 20 cannot express, with the reason.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { compileGoRegexp, GoRegexpError, translateGoRegexp } from '../../core/go-regexp/translate-go-regexp.ts'
import { foldOrbit } from '../../core/go-regexp/case-fold-orbits.ts'
import { KATIB_DEFAULT_FILTER, TextMetricsParser } from '../../metrics-collector/text-metrics-parser.ts'

/** Groups 1 and 2 of every match, as Katib's collector reads them. */
function pairs(pattern: string, line: string): [string | undefined, string | undefined][] {
  return [...line.matchAll(compileGoRegexp(pattern, 'g'))].map((m) => [m[1], m[2]])
}

interface Row {
  readonly pattern: string
  readonly matches: Record<string, [string, string][]>
  readonly misses?: readonly string[]
}

const ROWS: readonly Row[] = [
  { pattern: KATIB_DEFAULT_FILTER, matches: { 'loss=0.3 acc = .98': [['loss', '0.3'], ['acc', '.98']], 'a|b=1E0': [['a|b', '1E0']] } },
  { pattern: '(?i)(loss)=([0-9.]+)', matches: { 'LOSS=1.5': [['LOSS', '1.5']], 'Loss=2': [['Loss', '2']] } },
  // i from the middle on: the name part stays case-sensitive, the rest is spelled out.
  { pattern: '(loss)(?i)\\s*:\\s*(\\w+)', matches: { 'loss: NaN': [['loss', 'NaN']], 'loss:nan': [['loss', 'nan']] }, misses: ['LOSS: 1'] },
  { pattern: '(loss)=(?i:(inf|nan))', matches: { 'loss=INF': [['loss', 'INF']], 'loss=NaN': [['loss', 'NaN']] }, misses: ['LOSS=nan'] },
  { pattern: '(?i)(loss)=(?-i:(x))', matches: { 'LOSS=x': [['LOSS', 'x']] }, misses: ['LOSS=X'] },
  // The Kelvin sign folds to k in Go as in JavaScript's iu.
  { pattern: '(k)=(?i:(k))', matches: { 'k=\u212a': [['k', '\u212a']] }, misses: ['K=k'] },
  { pattern: '(?P<name>\\w+)=(?P<value>\\d+)', matches: { 'epoch=3': [['epoch', '3']] } },
  { pattern: '(?<name>\\w+)=(?<1st>\\d+)', matches: { 'epoch=3': [['epoch', '3']] } },
  { pattern: '\\Q[loss]\\E(\\w+)\\Q*=\\E(\\d+)', matches: { '[loss]train*=7': [['train', '7']] }, misses: ['lossXtrain*=7'] },
  { pattern: '\\Q(x)', matches: {}, misses: ['x'] },
  { pattern: '([[:alpha:]_]+)[[:space:]]+([[:digit:].]+)', matches: { 'val_loss \t 0.25': [['val_loss', '0.25']] } },
  { pattern: '([[:^space:]]+)=([[:xdigit:]]+)', matches: { 'crc=00ff': [['crc', '00ff']], 'crc=0xff': [['crc', '0']] } },
  { pattern: '(\\pL+)=(\\p{Nd}+)', matches: { 'précision=9': [['précision', '9']] } },
  { pattern: '(\\p{Thai}|\\p{Greek}+)=(\\PL+)', matches: { 'λ=0.5': [['λ', '0.5']] }, misses: ['lambda=0.5'] },
  { pattern: '(\\P{^Greek}+)=(\\d)', matches: { 'αβ=1': [['αβ', '1']] } },
  // Go negates the folded class: under (?i) \P{Lu} matches neither A nor a.
  { pattern: '(?i)(\\P{Lu}+)=(\\d)', matches: { '1A2=3': [['2', '3']], '-=1': [['-', '1']] }, misses: ['a=1'] },
  // The same for \W and [[:^alpha:]]: ſ and the Kelvin sign are out with s and k.
  { pattern: '(?i)(\\W+)=(\\d)', matches: { '-=1': [['-', '1']] }, misses: ['s=1', 'k=1', 'ſ=1', '\u212a=1'] },
  { pattern: '(?i)([[:^alpha:]]+)=(\\d)', matches: { '-=1': [['-', '1']] }, misses: ['\u212a=1', 'ſ=1'] },
  { pattern: '([\\P{L}x]+)=(\\d)', matches: { 'Ax1=2': [['x1', '2']] } },
  // Go's \s has no \v, and its \d and \w are ASCII.
  { pattern: '(\\w+)\\s(\\d+)', matches: { 'a 1': [['a', '1']] }, misses: ['a\v1', 'a\u00a01', 'a ١', 'é 1'] },
  { pattern: '(\\w+)[\\S](\\d)', matches: { 'a:1': [['a', '1']] }, misses: ['a 1'] },
  { pattern: '\\A(\\w+)=(\\d+)\\z', matches: { 'loss=1': [['loss', '1']] }, misses: ['loss=1 ', ' loss=1'] },
  { pattern: '(?m)^(\\w+)=(\\d+)$', matches: { 'a=1\nb=2': [['a', '1'], ['b', '2']] }, misses: ['a=1\rb=2x'] },
  { pattern: '(\\w+)=(.+)', matches: { 'a=1\r2': [['a', '1\r2']] } },
  { pattern: '(?s)(\\w+)=(.+)', matches: { 'a=1\n2': [['a', '1\n2']] } },
  { pattern: '(\\w+)=(.+)', matches: { 'a=1\n2': [['a', '1']] } },
  { pattern: '(?U)(\\w+)=(\\d+)', matches: { 'ab=123': [['ab', '1']] } },
  { pattern: '(?U)(\\w+?)=(\\d+?)', matches: { 'ab=123': [['ab', '123']] } },
  { pattern: '(\\w+)=(\\d{2,3})', matches: { 'a=12345': [['a', '123']] } },
  { pattern: '(a{,2})(b)', matches: { 'a{,2}b': [['a{,2}', 'b']] }, misses: ['aab'] },
  { pattern: '(\\x41\\x{42}\\103)=(\\1011)', matches: { 'ABC=A1': [['ABC', 'A1']] } },
  { pattern: '(\\w)(\\0101)', matches: { 'a\b1': [['a', '\b1']] } },
  { pattern: '(\\w+)\\.\\-\\=(\\d)', matches: { 'a.-=1': [['a', '1']] } },
  { pattern: '([]a-]+)=(\\d)', matches: { ']-a=1': [[']-a', '1']] } },
  { pattern: '(^*\\w+)=(\\d)', matches: { 'a=1': [['a', '1']] } },
]

describe('Go regexps in metricsFormat match what Katib\'s Go collector matches', () => {
  for (const row of ROWS) {
    it(row.pattern, () => {
      for (const [line, expected] of Object.entries(row.matches)) assert.deepEqual(pairs(row.pattern, line), expected, JSON.stringify(line))
      for (const line of row.misses ?? []) assert.deepEqual(pairs(row.pattern, line), [], JSON.stringify(line))
    })
  }

  it('counts capture groups as Go does, named ones included', () => {
    assert.equal(translateGoRegexp('(?P<a>x)(?:y)(z)(?i:w)').groups, 2)
    assert.equal(translateGoRegexp(KATIB_DEFAULT_FILTER).groups, 4)
    assert.equal(translateGoRegexp('\\Q(a)(b)\\E').groups, 0)
  })

  it('uses JavaScript\'s i flag when the whole pattern is case-insensitive, and spells cases out otherwise', () => {
    assert.equal(translateGoRegexp('(?i)(loss)=(\\d+)').flags, 'iu')
    assert.equal(translateGoRegexp('(\\d+)(?i)=(x)').flags, 'iu')
    assert.equal(translateGoRegexp('(\\d+)(?i)=(\\d+)').flags, 'u')
    const mixed = translateGoRegexp('(loss)(?i:x)')
    assert.equal(mixed.flags, 'u')
    assert.match(mixed.source, /\[Xx\]/)
  })

  it('case orbits agree with JavaScript\'s own case-insensitive matching', () => {
    for (const c of ['k', 'S', 'σ', 'ß', 'İ', 'ı', '1']) {
      const orbit = foldOrbit(c.codePointAt(0)!)
      assert.ok(orbit.includes(c.codePointAt(0)!))
      for (const other of orbit) assert.ok(new RegExp(`^\\u{${c.codePointAt(0)!.toString(16)}}$`, 'iu').test(String.fromCodePoint(other)), `${c} ~ ${other}`)
    }
    assert.deepEqual(foldOrbit(0x6b), [0x4b, 0x6b, 0x212a])
    assert.deepEqual(foldOrbit(0x131), [0x131])
  })
})

const REFUSED: readonly [string, 'invalid' | 'untranslatable', RegExp][] = [
  ['(\\w+)=(\\d+', 'invalid', /missing closing \)/],
  ['(\\w+)=(\\d+))', 'invalid', /unexpected \)/],
  ['([a-z=(\\d+)', 'invalid', /missing closing \]/],
  ['(\\w+)=(\\d**)', 'invalid', /invalid nested repetition operator: `\*\*`/],
  ['(\\w+)=(\\d++)', 'invalid', /invalid nested repetition operator: `\+\+`/],
  ['(*)(x)', 'invalid', /missing argument to repetition operator: `\*`/],
  ['(x{1001})(y)', 'invalid', /invalid repeat count: `\{1001\}`/],
  ['(x{3,2})(y)', 'invalid', /invalid repeat count/],
  ['(?=loss)(\\w+)=(\\d)', 'invalid', /invalid or unsupported Perl syntax: `\(\?=`; Go has no lookahead/],
  ['(?<=x)(\\w+)=(\\d)', 'invalid', /invalid named capture.*no lookbehind/],
  ['(?P<na-me>\\w+)=(\\d)', 'invalid', /invalid named capture: `\(\?P<na-me>`/],
  ['(?P=x)(y)', 'invalid', /invalid or unsupported Perl syntax: `\(\?P`; Go has no backreferences/],
  ['(?x)(a)(b)', 'invalid', /invalid or unsupported Perl syntax: `\(\?x`; Go takes the flags i, m, s and U/],
  ['(?i-)(a)(b)', 'invalid', /invalid or unsupported Perl syntax: `\(\?i-\)`/],
  ['(a)(b)\\1', 'invalid', /invalid escape sequence: `\\1`; Go has no backreferences/],
  ['(a)(\\C)', 'invalid', /invalid escape sequence: `\\C`/],
  ['(a)(b)\\Z', 'invalid', /invalid escape sequence: `\\Z`; use \\z/],
  ['(a)(\\u0041)', 'invalid', /invalid escape sequence: `\\u`; write \\x\{263a\}/],
  ['(a)(\\x{110000})', 'invalid', /invalid escape sequence/],
  ['(a)(\\xZ1)', 'invalid', /invalid escape sequence/],
  ['(a)(b)\\', 'invalid', /trailing backslash/],
  ['([z-a])(b)', 'invalid', /invalid character class range: `z-a`/],
  ['([[:word:][:letters:]])(b)', 'invalid', /invalid character class range: `\[:letters:\]`/],
  ['(\\p{Grek})(b)', 'invalid', /invalid character class range: `\\p\{Grek\}`/],
  ['(\\p{Klingon})(b)', 'invalid', /invalid character class range/],
  ['(\\p{greek})(b)', 'invalid', /invalid character class range/],
  ['([a-\\d])(b)', 'invalid', /invalid escape sequence: `\\d`/],
  ['(?i)([\\P{Lu}x])(y)', 'untranslatable', /negated Unicode class `\\P\{Lu\}` inside \[\.\.\.\] of a case-insensitive pattern/],
  ['(loss)=(?i:(\\p{Lu}+))', 'untranslatable', /cannot be written in a JavaScript regular expression on Node 20; put \(\?i\) at the very start/],
]

describe('Go regexps that cannot be used are refused with the reason', () => {
  for (const [pattern, kind, reason] of REFUSED) {
    it(pattern, () => {
      assert.throws(() => translateGoRegexp(pattern), (error: unknown) => {
        assert.ok(error instanceof GoRegexpError)
        assert.equal(error.kind, kind)
        assert.match(error.message, reason)
        return true
      })
    })
  }
})

describe('TextMetricsParser runs filters through the translation', () => {
  it('reads a metric with a case-insensitive value part and a \\Q-quoted name', () => {
    const parser = new TextMetricsParser({ metricNames: ['val[acc]'], filters: ['(\\Qval[acc]\\E)\\s*(?i:is)\\s*([\\d.]+)'] })
    assert.deepEqual(parser.feed('epoch 1: val[acc] IS 0.91', new Date(0)).map((p) => [p.name, p.value]), [['val[acc]', 0.91]])
  })
})
