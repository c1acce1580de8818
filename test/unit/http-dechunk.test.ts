// The agent's HTTP chunked de-coding (Docker's log answers): the body comes out whole and once
// however the socket cuts the bytes, and what is not chunked coding is an error, not lost bytes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ChunkedDecoder } from '../../agent/lib/http-dechunk.ts'

/** A body as Docker sends it: each piece its own chunk, then the last chunk. */
function chunked(pieces: string[], ending = '0\r\n\r\n'): Buffer {
  return Buffer.from(pieces.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('') + ending)
}

function decodeIn(original: Buffer, cuts: number[]): { body: string; done: boolean } {
  // The decoder rearranges the bytes it is given, as it may a socket read of its own.
  const wire = Buffer.from(original)
  const decoder = new ChunkedDecoder()
  const out: Buffer[] = []
  let at = 0
  for (const cut of [...cuts, wire.length]) {
    out.push(decoder.push(wire.subarray(at, cut)))
    at = cut
  }
  return { body: Buffer.concat(out).toString('utf8'), done: decoder.done }
}

test('the body comes out whole wherever the reads are cut, and the last chunk ends it', () => {
  const pieces = ['first line\n', 'é€ and 😀\n', 'x'.repeat(300), '', 'last\n'].filter(Boolean)
  const wire = chunked(pieces)
  const whole = pieces.join('')
  // Every single cut point, and a read per byte.
  for (let cut = 0; cut <= wire.length; cut++) assert.deepEqual(decodeIn(wire, [cut]), { body: whole, done: true }, `cut at ${cut}`)
  assert.deepEqual(decodeIn(wire, Array.from({ length: wire.length - 1 }, (_, i) => i + 1)), { body: whole, done: true })
})

test('chunk extensions and trailers are read past; bytes after the end are not body', () => {
  const wire = Buffer.from('5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\nGARBAGE')
  assert.deepEqual(decodeIn(wire, [3, 17]), { body: 'hello world', done: true })
})

test('a body not yet ended is not done', () => {
  assert.deepEqual(decodeIn(chunked(['partial'], ''), []), { body: 'partial', done: false })
  assert.deepEqual(decodeIn(Buffer.from('a\r\n12345'), []), { body: '12345', done: false })
})

test('what is not chunked coding is an error', () => {
  assert.throws(() => new ChunkedDecoder().push(Buffer.from('zz\r\nhello\r\n')), /bad HTTP chunk size \(byte 0x7a\)/)
  assert.throws(() => new ChunkedDecoder().push(Buffer.from('\r\nhello\r\n')), /bad HTTP chunk size \(no digits\)/)
  assert.throws(() => new ChunkedDecoder().push(Buffer.from('5\r\nhelloXX')), /not followed by CRLF/)
  assert.throws(() => new ChunkedDecoder().push(Buffer.from('1;' + 'x'.repeat(2000))), /size line too long/)
  assert.throws(() => new ChunkedDecoder().push(Buffer.from('123456789\r\n')), /too many digits/)
})
