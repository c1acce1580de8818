// The agent sends log lines in their wire form, copied from Docker's bytes (container-log-encoder.ts);
// what the client decodes from them must be exactly the lines LogDecoder makes of the same bytes:
// multiplexed or TTY, split anywhere, with and without timestamps, '\r\n', lines without a newline
// at the end, an endless line in pieces, and multi-byte characters.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { containerCalls, type LogLine } from '@pocketdock/protocol'
import { decode, encode } from '@pocketdock/protocol/codec'
import { LogDecoder, MAX_LINE_CHARS } from '@pocketdock/agent/container-log-decoder'
import { LogBatchEncoder } from '@pocketdock/agent/container-log-encoder'

const item = containerCalls['containers.logs'].item

/** A small deterministic random source, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
}

function randomText(rnd: () => number, ascii: boolean): string {
  const pieces = ['a', 'log line ', ' ', '\r', '\t', 'x'.repeat(50), '2026-11-23T10:00:00.5Z ', '0', ...(ascii ? [] : ['€', '😀', 'é'])]
  let s = ''
  const n = Math.floor(rnd() * 12)
  for (let i = 0; i < n; i++) s += pieces[Math.floor(rnd() * pieces.length)]
  return s
}

/** Docker's bytes for a log: multiplexed frames (one per write) or a TTY's raw stream. */
function dockerBytes(rnd: () => number, tty: boolean): Buffer {
  const frames: Buffer[] = []
  const writes = 1 + Math.floor(rnd() * 40)
  // Endless lines are cut by characters in one and by bytes in the other: the same pieces only in ASCII.
  const long = rnd() < 0.15
  for (let w = 0; w < writes; w++) {
    const stamp = rnd() < 0.85 ? `2026-11-23T10:00:${String(w % 60).padStart(2, '0')}.${Math.floor(rnd() * 1e9)}Z ` : ''
    let text = stamp + randomText(rnd, long) + (rnd() < 0.9 ? (rnd() < 0.2 ? '\r\n' : '\n') : '')
    if (long && rnd() < 0.2) text = stamp + 'L'.repeat(MAX_LINE_CHARS + Math.floor(rnd() * 3 * MAX_LINE_CHARS)) + '\n'
    const payload = Buffer.from(text)
    if (tty) frames.push(payload)
    else {
      const header = Buffer.alloc(8)
      header[0] = rnd() < 0.3 ? 2 : 1
      header.writeUInt32BE(payload.length, 4)
      frames.push(header, payload)
    }
  }
  return Buffer.concat(frames)
}

function chunks(rnd: () => number, all: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0; at < all.length; ) {
    const n = 1 + Math.floor(rnd() * (rnd() < 0.5 ? 16 : 4096))
    out.push(all.subarray(at, at + n))
    at += n
  }
  return out
}

test('lines copied as bytes decode to exactly the lines LogDecoder makes', () => {
  for (let seed = 1; seed <= 400; seed++) {
    const rnd = random(seed)
    const tty = rnd() < 0.3
    const keepTime = rnd() < 0.7
    const parts = chunks(rnd, dockerBytes(rnd, tty))
    const decoder = new LogDecoder(tty, true)
    const expected: LogLine[] = []
    for (const c of parts) expected.push(...decoder.push(c))
    expected.push(...decoder.end())
    if (!keepTime) for (const l of expected) l.time = ''

    const encoder = new LogBatchEncoder(tty, keepTime)
    const got: LogLine[] = []
    for (const c of parts) {
      encoder.push(c)
      // Batches taken at random points, as the stream's credit and Docker's pace decide.
      if (rnd() < 0.3) got.push(...decode(item, encode(item, encoder.take() ?? { lines: [] }), 'batch').lines)
    }
    encoder.end()
    const last = encoder.take()
    if (last) {
      assert.equal(last.lines.length, last.count, 'decoded on demand in the agent')
      got.push(...decode(item, encode(item, last), 'batch').lines)
    }
    assert.deepEqual(got, expected, `seed ${seed} (tty ${tty}, timestamps ${keepTime})`)
  }
})

test('an encoded batch has the same bytes as the same lines encoded as objects', () => {
  const encoder = new LogBatchEncoder(false, true)
  const payload = Buffer.from('2026-11-23T10:00:00.123Z héllo\n')
  const header = Buffer.alloc(8)
  header[0] = 2
  header.writeUInt32BE(payload.length, 4)
  for (let i = 0; i < 300; i++) encoder.push(Buffer.concat([header, payload]))
  const batch = encoder.take()!
  assert.equal(batch.count, 300)
  const lines = Array.from({ length: 300 }, () => ({ stream: 'stderr' as const, time: '2026-11-23T10:00:00.123Z', line: 'héllo' }))
  assert.deepEqual(Buffer.from(encode(item, batch)), Buffer.from(encode(item, { lines })))
  assert.equal(encoder.take(), null, 'nothing left')
})

test('an endless line with multi-byte characters comes in pieces cut between characters', () => {
  const text = '€😀é'.repeat(40_000)
  const payload = Buffer.from(`2026-11-23T10:00:00.1Z ${text}\n`)
  const encoder = new LogBatchEncoder(true, true)
  for (let at = 0; at < payload.length; at += 1000) encoder.push(payload.subarray(at, at + 1000))
  encoder.end()
  const lines = encoder.take()!.lines
  assert.ok(lines.length > 1, 'in pieces')
  assert.ok(lines.every((l) => l.time === '2026-11-23T10:00:00.1Z' && !l.line.includes('\ufffd')))
  assert.equal(lines.map((l) => l.line).join(''), text)
})
