import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LineSplitter } from '../../metrics-collector/line-splitter.ts'

function splitAll(chunks: ReadonlyArray<string | Uint8Array>, s = new LineSplitter()): string[] {
  return [...chunks.flatMap((c) => s.push(c)), ...s.end()]
}

test('lines split across chunks are joined; complete lines come out as soon as they end', () => {
  const s = new LineSplitter()
  assert.deepEqual(s.push('loss=0.'), [])
  assert.deepEqual(s.push('5\naccu'), ['loss=0.5'])
  assert.deepEqual(s.push('racy=0.9\n\nlast'), ['accuracy=0.9', ''])
  assert.deepEqual(s.end(), ['last'])
  assert.deepEqual(s.end(), [])
})

test('CRLF, including a CR and LF in different chunks, is one line break', () => {
  assert.deepEqual(splitAll(['a=1\r\nb=2\r', '\nc=3\r\n']), ['a=1', 'b=2', 'c=3'])
})

test('a lone CR (progress bar redraw) ends a line', () => {
  assert.deepEqual(splitAll(['10% loss=3\r20% loss=2\r', '30% loss=1\n']), ['10% loss=3', '20% loss=2', '30% loss=1'])
})

test('bytes are decoded as UTF-8 even when a character is split between chunks', () => {
  const bytes = new TextEncoder().encode('température=21.5\nμ=2\n')
  const chunks = Array.from(bytes, (b) => Uint8Array.of(b))
  assert.deepEqual(splitAll(chunks), ['température=21.5', 'μ=2'])
})

test('a final partial line is flushed on end; a trailing newline adds no empty line', () => {
  assert.deepEqual(splitAll(['a\nb']), ['a', 'b'])
  assert.deepEqual(splitAll(['a\nb\n']), ['a', 'b'])
  assert.deepEqual(splitAll([]), [])
})

test('an endless line is emitted in pieces instead of growing the buffer', () => {
  const s = new LineSplitter({ maxLineLength: 4 })
  assert.deepEqual(s.push('abcdefghij'), ['abcd', 'efgh'])
  assert.deepEqual(s.push('kl\n'), ['ijkl'])
  assert.deepEqual(s.push('0123456789\n'), ['0123', '4567', '89'])
})
