import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseSimpleCommand, ShellWordsError } from '../../../core/spec/shell-words.ts'
import { fillValueTokens, valueToken } from '../../../core/spec/value-tokens.ts'
import { AGREED, SHELL_ENV } from './shell-words-cases.ts'

const lookup = (name: string) => SHELL_ENV[name]

test('a simple command reads as a POSIX shell reads it (quotes, escapes, $VAR, splitting, ~, comments)', () => {
  for (const [text, expected] of AGREED) assert.deepEqual(parseSimpleCommand(`prog ${text}`, lookup).argv, ['prog', ...expected], JSON.stringify(text))
})

test('leading NAME=value words are the program\'s environment, unsplit', () => {
  const parsed = parseSimpleCommand('A=1 B=$SPACED prog C=2', lookup)
  assert.deepEqual(parsed.assignments, [['A', '1'], ['B', '  a  b\tc ']])
  assert.deepEqual(parsed.argv, ['prog', 'C=2'])
})

test('what needs a real shell is refused, naming the construct and where', () => {
  const cases: [string, RegExp][] = [
    ['prog a | tee x', /a pipe \(\|\) at character 8/],
    ['prog; other', /a command separator \(;\)/],
    ['prog && echo done', /the list operator &&/],
    ['prog a || b', /the list operator \|\|/],
    ['prog > out.log', /the redirection >/],
    ['prog 2>&1', /the redirection >&/],
    ['prog &', /a background job/],
    ['prog $(date)', /command substitution \$\(\.\.\.\)/],
    ['prog $(NAME)', /Kubernetes leaves \$\(NAME\) as it is/],
    ['prog `date`', /command substitution `\.\.\.`/],
    ['prog "`date`"', /command substitution `\.\.\.`/],
    ['prog $((1+2))', /arithmetic expansion/],
    ['prog *.txt', /pathname pattern character \*/],
    ['prog a?', /pathname pattern character \?/],
    ['prog $GLOB', /value of \$GLOB holds the pathname pattern character \*.*quote it \("\$GLOB"\)/],
    ['prog ${X:-default}', /parameter expansion \$\{X:-default\}.*give X its value/],
    ['prog $1', /special parameter \$1/],
    ['prog $$', /special parameter \$\$/],
    ['if true', /reserved word "if"/],
    ['prog\nother', /a second command \(on a new line\)/],
    ["prog 'open", /unterminated single quote/],
    ['prog "open', /unterminated double quote/],
    ['prog ~user/x', /tilde expansion ~user/],
    ['A=1', /no command to run/],
    ['', /no command to run/],
  ]
  for (const [text, message] of cases) {
    assert.throws(() => parseSimpleCommand(text, lookup), (e: unknown) => e instanceof ShellWordsError && message.test(e.message), text)
  }
  // Quoted, the same characters are text.
  assert.deepEqual(parseSimpleCommand(`prog '|' ";" "&&" '>' '*' "?" '[' 'if' "$GLOB"`, lookup).argv, ['prog', '|', ';', '&&', '>', '*', '?', '[', 'if', 'a*b'])
})

const HOSTILE = ['$(rm -rf /)', '`id`', '*', '?', '[a]', "'", '"', '\\', ' a  b ', '\n', '$HOME', '${HOME}', '~', ';', '|', '&&', '#x', '', '\uE000', `${valueToken(0)}`]

test('substituted values (tokens) are never split, expanded or unquoted, wherever the template puts them', () => {
  const random = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const next = random(7)
  for (let round = 0; round < 300; round++) {
    const value = Array.from({ length: 1 + Math.floor(next() * 4) }, () => HOSTILE[Math.floor(next() * HOSTILE.length)]).join('')
    const token = valueToken(0)
    const parsed = parseSimpleCommand(`prog --a=${token} "--b=${token}" '--c=${token}' ${token} X${token}Y`, lookup)
    const argv = parsed.argv.map((word) => fillValueTokens(word, [value]))
    assert.deepEqual(argv, ['prog', `--a=${value}`, `--b=${value}`, `--c=${value}`, value, `X${value}Y`], JSON.stringify(value))
  }
})
