import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { gjsonGet, type Json } from '../../../core/conditions/evaluate-gjson.ts'
import { globMatch } from '../../../core/conditions/glob-match.ts'

/** The document of gjson's SYNTAX.md and README. */
const README: Json = JSON.parse(`{
  "name": {"first": "Tom", "last": "Anderson"},
  "age":37,
  "children": ["Sara","Alex","Jack"],
  "fav.movie": "Deer Hunter",
  "friends": [
    {"first": "Dale", "last": "Murphy", "age": 44, "nets": ["ig", "fb", "tw"]},
    {"first": "Roger", "last": "Craig", "age": 68, "nets": ["fb", "tw"]},
    {"first": "Jane", "last": "Murphy", "age": 47, "nets": ["ig", "tw"]}
  ]
}`)
const [DALE, , JANE] = (README as { friends: Json[] }).friends

/** [path, expected] from SYNTAX.md (gjson v1.14.1), `undefined` where gjson's result does not exist. */
const SYNTAX_CASES: ReadonlyArray<readonly [string, Json | undefined]> = [
  ['name.last', 'Anderson'],
  ['name.first', 'Tom'],
  ['age', 37],
  ['children', ['Sara', 'Alex', 'Jack']],
  ['children.0', 'Sara'],
  ['children.1', 'Alex'],
  ['friends.1.first', 'Roger'],
  ['child*.2', 'Jack'],
  ['c?ildren.0', 'Sara'],
  ['fav\\.movie', 'Deer Hunter'],
  ['friends.#', 3],
  ['friends.#.age', [44, 68, 47]],
  ['friends.#(last=="Murphy").first', 'Dale'],
  ['friends.#(last=="Murphy")#.first', ['Dale', 'Jane']],
  ['friends.#(age>45)#.last', ['Craig', 'Murphy']],
  ['friends.#(first%"D*").last', 'Murphy'],
  ['friends.#(first!%"D*").last', 'Craig'],
  ['children.#(!%"*a*")', 'Alex'],
  ['children.#(%"*a*")#', ['Sara', 'Jack']],
  ['friends.#(nets.#(=="fb"))#.first', ['Dale', 'Roger']],
  // Dot against pipe.
  ['friends.0.first', 'Dale'],
  ['friends|0.first', 'Dale'],
  ['friends.0|first', 'Dale'],
  ['friends|0|first', 'Dale'],
  ['friends|#', 3],
  ['friends.#(last="Murphy")#', [DALE, JANE]],
  ['friends.#(last="Murphy")#.first', ['Dale', 'Jane']],
  ['friends.#(last="Murphy")#|first', undefined],
  ['friends.#(last="Murphy")#.0', []],
  ['friends.#(last="Murphy")#|0', DALE],
  ['friends.#(last="Murphy")#.#', []],
  ['friends.#(last="Murphy")#|#', 2],
  // Modifiers and multipaths.
  ['children.@reverse', ['Jack', 'Alex', 'Sara']],
  ['children.@reverse.0', 'Jack'],
  ['@this.name.first', 'Tom'],
  ['name|@this|last', 'Anderson'],
  ['name.@keys', ['first', 'last']],
  ['name.@values', ['Tom', 'Anderson']],
  ['{name.first,age,"the_murphys":friends.#(last="Murphy")#.first}', { first: 'Tom', age: 37, the_murphys: ['Dale', 'Jane'] }],
  ['[name.first,age]', ['Tom', 37]],
  ['[name.first,nothing,age]', ['Tom', 37]],
  ['friends.[0.first,1.age]', ['Dale', 68]],
  ['friends.#.[first,nets.0]', [['Dale', 'ig'], ['Roger', 'fb'], ['Jane', 'ig']]],
  ['name.[@this].#(first=="Tom")#', [{ first: 'Tom', last: 'Anderson' }]],
  ['name.[@this].#(first=="Tim")#', []],
  // Things that are not there.
  ['nothing', undefined],
  ['name.middle', undefined],
  ['children.3', undefined],
  ['children.first', undefined],
  ['age.0', undefined],
  ['friends.#(last=="Nobody").first', undefined],
  ['friends.#(last=="Nobody")#.first', []],
  ['friends.#(last=="Nobody")#|#(age>1)#', []],
  ['name.#', undefined],
]

for (const [path, expected] of SYNTAX_CASES) {
  test(`gjson ${path}`, () => assert.deepEqual(gjsonGet(README, path), expected))
}

/** Cases from gjson's own tests (gjson_test.go at v1.14.1). */
test('gjson: queries on mixed arrays, old #[...] brackets, counts after pipes', () => {
  const artists: Json = JSON.parse(`{"artists": [["Bob Dylan"], "John Lennon", "Mick Jagger", "Elton John", "Michael Jackson", "John Smith", true, 123, 456, false, null]}`)
  assert.equal(gjsonGet(artists, 'a*.#[0="Bob Dylan"]#|#'), 1)
  assert.equal(gjsonGet(artists, 'a*.#[0="Bob Dylan 2"]#|#'), 0)
  assert.equal(gjsonGet(artists, 'a*.#[%"John*"]#|#'), 2)
  assert.equal(gjsonGet(artists, 'a*.#[_%"John*"]#|#'), 0)
  assert.equal(gjsonGet(artists, 'a*.#[="123"]#|#'), 1)
  const friends: Json = { friends: [{ a: 10 }, { a: 20 }, { a: 30 }, { a: 40 }] }
  assert.equal(gjsonGet(friends, 'friends.#(a>9)#|#'), 4)
  assert.equal(gjsonGet(friends, 'friends.#(a>10)#|#'), 3)
  assert.equal(gjsonGet(friends, 'friends.#(a>40)#|#'), 0)
  assert.deepEqual(gjsonGet([], '#(hello)#'), [])
  assert.deepEqual(gjsonGet(['ig', '', 'tw', 'fb'], '#(!="")#'), ['ig', 'tw', 'fb'])
  assert.deepEqual(gjsonGet(['ig', '', 'tw', 'fb'], '#(!=)#'), ['ig', 'tw', 'fb'])
})

test('gjson: pipes and dots mixed, modifiers between them', () => {
  const json: Json = { info: { friends: [{ first: 'Dale', last: 'Murphy' }, { first: 'Roger', last: 'Craig' }] } }
  for (const path of ['info.friends.#[first="Dale"].last', 'info|friends.#[first="Dale"].last', 'info|friends.#[first="Dale"]|last', 'info|friends|#[first="Dale"]|last', '@ugly|info|friends|#[first="Dale"]|last', '@ugly|info.@ugly|friends|#[first="Dale"]|last', '@ugly.info|@ugly.friends|#[first="Dale"]|last']) {
    assert.equal(gjsonGet(json, path), 'Murphy', path)
  }
  const nested: Json = [{ c: [{ a: 10.11 }] }, { c: [{ a: 11.11 }] }]
  assert.deepEqual(gjsonGet(nested, '@ugly|#.c.#[a=10.11]'), [{ a: 10.11 }])
  assert.deepEqual(gjsonGet(nested, '@ugly|#.c.#'), [1, 1])
  assert.equal(gjsonGet(nested, '@reverse|0|c|0|a'), 11.11)
  assert.equal(gjsonGet(nested, '#.c|#'), 2)
})

test('gjson: nested queries, escaped strings in queries, a key that looks like a modifier', () => {
  const topology: Json = { topology: { instances: [{ service_version: '1.2.3', service_roles: ['one', 'two'] }, { service_version: '1.2.4', service_roles: ['three'] }, { service_version: '1.2.2', service_roles: ['one'] }] } }
  assert.deepEqual(gjsonGet(topology, 'topology.instances.#( service_roles.#(=="one"))#.service_version'), ['1.2.3', '1.2.2'])
  const encoded: Json = { friends: [{ last: 'Mur\nphy', age: 44 }, { last: 'Murphy', age: 47 }] }
  assert.equal(gjsonGet(encoded, 'friends.#(last=="Mur\\nphy").age'), 44)
  assert.equal(gjsonGet(encoded, 'friends.#(last=="Murphy").age'), 47)
  assert.equal(gjsonGet({ '@key': 'value' }, '@key'), 'value')
  assert.equal(gjsonGet({ '@key': 'value' }, '\\@key'), 'value')
})

test('gjson: ~true and ~false convert to booleans before comparing (v1.14.1)', () => {
  const json: Json = { vals: [{ a: 1, b: true }, { a: 2, b: true }, { a: 3, b: false }, { a: 4, b: '0' }, { a: 5, b: 0 }, { a: 6, b: '1' }, { a: 7, b: 1 }, { a: 8, b: 'true' }, { a: 9, b: false }, { a: 10, b: null }, { a: 11 }] }
  assert.deepEqual(gjsonGet(json, 'vals.#(b==~true)#.a'), [1, 2, 6, 7, 8])
  assert.deepEqual(gjsonGet(json, 'vals.#(b==~false)#.a'), [3, 4, 5, 9, 10, 11])
})

test('gjson: comparisons by type: strings by code point, numbers as numbers, booleans, null never', () => {
  const json: Json = { v: ['b', 'a', 'é', 10, 9, true, false, null, { x: 1 }] }
  // A number compares with the right side read as a number, 0 when it is none (gjson's ParseFloat).
  assert.deepEqual(gjsonGet(json, 'v.#(>"a")#'), ['b', 'é', 10, 9])
  assert.deepEqual(gjsonGet(json, 'v.#(>"0a")#'), ['b', 'a', 'é', 10, 9])
  // Strings compare as strings whatever the right side looks like.
  assert.deepEqual(gjsonGet(json, 'v.#(>9)#'), ['b', 'a', 'é', 10])
  // false <= anything and true >= anything, in gjson.
  assert.deepEqual(gjsonGet(json, 'v.#(<=10)#'), [10, 9, false])
  assert.deepEqual(gjsonGet(json, 'v.#(==true)#'), [true])
  assert.deepEqual(gjsonGet(json, 'v.#(!=true)#'), ['b', 'a', 'é', 10, 9, false])
  assert.deepEqual(gjsonGet(json, 'v.#(<true)#'), ['b', 'a', false])
  assert.deepEqual(gjsonGet({ v: [0, 1] }, 'v.#(==abc)#'), [0])
  // Existence: every element that is there, null included; a scalar has no sub-path.
  assert.deepEqual(gjsonGet(json, 'v.#(x)#'), [{ x: 1 }])
  assert.equal(gjsonGet(json, 'v.#(x).x'), 1)
})

test('gjson: object keys are walked in the order of Katib\'s JSON (sorted), so a wildcard finds the first sorted key', () => {
  assert.equal(gjsonGet({ b2: 'second', a1: 'first' }, '*'), 'first')
  assert.deepEqual(gjsonGet({ b: 1, a: 2 }, '@keys'), ['a', 'b'])
  // A wildcard key that leads nowhere lets the next matching key try.
  assert.equal(gjsonGet({ a1: { x: 1 }, a2: { y: 2 } }, 'a*.y'), 2)
})

test('gjson: a pipe on nothing still runs, as in gjson (a multipath of nothing is [])', () => {
  assert.deepEqual(gjsonGet({ status: {} }, 'status.[@this].#(phase=="Succeeded")#'), [])
  assert.deepEqual(gjsonGet({}, 'status.[@this].#(phase=="Succeeded")#'), [])
  assert.equal(gjsonGet({}, 'status.conditions.#(type=="Complete")#|#(status=="True")#'), undefined)
  assert.deepEqual(gjsonGet({ status: { conditions: [] } }, 'status.conditions.#(type=="Complete")#|#(status=="True")#'), [])
})

test('gjson: @flatten, shallow and deep; @reverse on objects and scalars', () => {
  const json: Json = { a: [1, [2], [3, 4], [5, [6, 7]]] }
  assert.deepEqual(gjsonGet(json, 'a.@flatten'), [1, 2, 3, 4, 5, [6, 7]])
  assert.deepEqual(gjsonGet(json, 'a.@flatten:{"deep":true}'), [1, 2, 3, 4, 5, 6, 7])
  assert.equal(gjsonGet({ a: 'x' }, 'a.@reverse'), 'x')
  assert.equal(gjsonGet({}, 'a.@this'), undefined)
})

test('glob: *, ? and escapes against a regular expression on random strings', () => {
  const toRegExp = (pattern: string) => {
    let out = ''
    const chars = Array.from(pattern)
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]
      if (c === '*') out += '[\\s\\S]*'
      else if (c === '?') out += '[\\s\\S]'
      else if (c === '\\') {
        if (i + 1 >= chars.length) return undefined
        out += chars[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      } else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    }
    return new RegExp(`^${out}$`, 'u')
  }
  const alphabet = fc.constantFrom('a', 'b', '*', '?', '\\', 'é', '😀')
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 8 }).map((a) => a.join('')), fc.array(alphabet, { maxLength: 8 }).map((a) => a.join('')), (text, pattern) => {
      const re = toRegExp(pattern)
      assert.equal(globMatch(text, pattern), pattern === '*' || (re !== undefined && re.test(text)), `${JSON.stringify(text)} % ${JSON.stringify(pattern)}`)
    }),
    { numRuns: 2000 },
  )
})

test('gjson: any key, escaped, reads back its value', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 12 }), fc.jsonValue(), (key, value) => {
      const escaped = key.replace(/[.|*?\\@[{]/g, '\\$&')
      // JSON has no -0: the document is what the API would send.
      const json = JSON.parse(JSON.stringify({ outer: { [key]: value } })) as Json
      assert.deepEqual(gjsonGet(json, `outer.${escaped}`), (json as { outer: Record<string, Json> }).outer[key])
    }),
    { numRuns: 500 },
  )
})

test('gjson: no path throws, on any document', () => {
  const pathChars = fc.constantFrom('a', 'b', '0', '1', '.', '|', '#', '(', ')', '[', ']', '{', '}', '"', '=', '!', '%', '<', '>', '~', '@', 'this', 'reverse', ':', ',', '\\', '*', '?')
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 3 }), fc.array(pathChars, { maxLength: 16 }).map((a) => a.join('')), (json, path) => {
      gjsonGet(json as Json, path)
    }),
    { numRuns: 2000 },
  )
})

test('gjson quirks found by running gjson itself: @reverse keeps its order for later steps, a failed multipath rewrites the path', () => {
  const doc: Json = { apiVersion: 'v1', kind: 'Pod', status: { phase: 'Pending' } }
  assert.deepEqual(gjsonGet(doc, '@reverse.@keys'), ['status', 'kind', 'apiVersion'])
  assert.equal(gjsonGet(doc, '@reverse.*'), doc.status as Json)
  assert.deepEqual(gjsonGet(doc, '{status.phase,kind}|@keys'), ['phase', 'kind'])
  // gjson reads what follows an unclosed or trailing-text multipath as the path itself.
  assert.equal(gjsonGet(doc, '[]*'), 'v1')
  assert.equal(gjsonGet([], '{#|@keys'), undefined)
  // After #., a leading { is squashed from its second character: {{#} is one part, the rest a pipe.
  assert.equal(gjsonGet([{ a: 1 }], '#.{{#}|#|conditions}'), undefined)
})
