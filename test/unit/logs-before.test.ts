// Reading a log backwards: the `before` position survives a round trip and stays invisible to an
// agent or client that predates it, and the agent's cut leaves out exactly the lines the reader
// holds, also when many lines share the position's timestamp.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { decode, encode } from '@pocketdock/protocol/codec'
import { containerCalls, type LogLine, type LogsParams } from '@pocketdock/protocol'
import { positionBefore } from '@pocketdock/protocol/log-follow'
import { linesBefore } from '@pocketdock/agent/container-logs'
import { LogDecoder } from '@pocketdock/agent/container-log-decoder'
import { mergeEarlier, toViewLine } from '../../web/src/lib/logs/log-window.ts'

const params = containerCalls['containers.logs'].params

test('logs params with and without a position survive a round trip; without one they are the old bytes', () => {
  const plain: LogsParams = { id: 'web', tail: 100, since: null, follow: false, timestamps: true }
  const back: LogsParams = { ...plain, before: { time: '2026-11-23T10:00:00.5Z', atTime: 3 } }
  assert.deepEqual(decode(params, encode(params, plain), 'params'), plain)
  assert.deepEqual(decode(params, encode(params, back), 'params'), back)
  assert.deepEqual(decode(params, encode(params, { ...plain, before: null }), 'params'), plain)
  // The position is appended: an agent that predates it reads the same fields from the same prefix.
  const old = Buffer.from(encode(params, plain))
  assert.ok(Buffer.from(encode(params, back)).subarray(0, old.length).equals(old))
  // A cut position is malformed, not silently dropped.
  const bytes = encode(params, back)
  assert.throws(() => decode(params, bytes.subarray(0, bytes.length - 1), 'params'), { code: 'BAD_REQUEST' })
})

test('the position is the first line and how many lines held have its time, wherever they are', () => {
  const t1 = '2026-11-23T10:00:00.1Z'
  const t2 = '2026-11-23T10:00:00.2Z'
  assert.equal(positionBefore([]), null)
  assert.equal(positionBefore([{ time: '' }]), null)
  assert.deepEqual(positionBefore([{ time: t1 }, { time: '2026-11-23T10:00:00.100Z' }, { time: t2 }, { time: t1 }]), { time: t1, atTime: 3 })
})

/** Docker's multiplexed log bytes for these lines, in chunks cut at awkward places. */
function dockerStream(lines: LogLine[]): Readable {
  const frames = lines.map((l) => {
    const payload = Buffer.from(`${l.time} ${l.line}\n`)
    const header = Buffer.alloc(8)
    header[0] = l.stream === 'stderr' ? 2 : 1
    header.writeUInt32BE(payload.length, 4)
    return Buffer.concat([header, payload])
  })
  const all = Buffer.concat(frames)
  const chunks: Buffer[] = []
  for (let at = 0; at < all.length; at += 37) chunks.push(all.subarray(at, at + 37))
  return Readable.from(chunks)
}

test('the lines before a position among lines sharing one timestamp and out of time order: none repeated, none skipped', async () => {
  // 40 lines in groups of 1 to 5 sharing a time; stderr lines stamped earlier than the stdout lines
  // around them, as Docker's two copiers do; Docker also sends the rest of the position's second.
  const time = (group: number) => `2026-11-23T10:00:00.${String(100 + group).padStart(3, '0')}Z`
  const log: LogLine[] = []
  for (let n = 0, group = 0; n < 40; group++) {
    for (let k = 0; k < (group % 5) + 1 && n < 40; k++, n++) {
      log.push(n % 3 ? { stream: 'stdout', time: time(group), line: `line ${n}` } : { stream: 'stderr', time: time(Math.max(0, group - 2)), line: `line ${n}` })
    }
  }
  for (let i = 0; i < log.length; i++) {
    // A reader holding the log from line i on asks for what comes before it.
    const before = positionBefore(log.slice(i))!
    for (const tail of [1, 3, 40]) {
      const got = await linesBefore(dockerStream(log), new LogDecoder(false, true), before, tail)
      assert.deepEqual(got, log.slice(Math.max(0, i - tail), i), `position ${i}, tail ${tail}`)
    }
  }
})

test('a merged view read backwards leaves no hole: only lines from the latest page start on are kept', () => {
  const at = (ms: number, text: string, source: number) => toViewLine({ stream: 'stdout', time: `2026-11-23T10:00:00.${String(ms).padStart(3, '0')}Z`, line: text }, `c${source}`, source)
  // Container 0 has more before its page (which starts at .300); container 1 reached its start.
  const busy = { lines: [at(300, 'a300', 0), at(400, 'a400', 0)], atStart: false }
  const quiet = { lines: [at(100, 'b100', 1), at(350, 'b350', 1)], atStart: true }
  const merged = mergeEarlier([busy, quiet])
  assert.deepEqual(merged.lines.map((l) => l.plain), ['a300', 'b350', 'a400'], 'b100 comes again with a later read')
  assert.equal(merged.atStart, false)
  const done = mergeEarlier([{ lines: [at(50, 'a50', 0)], atStart: true }, { lines: [at(20, 'b20', 1)], atStart: true }])
  assert.deepEqual(done.lines.map((l) => l.plain), ['b20', 'a50'])
  assert.equal(done.atStart, true)
  // One container: its page as it came, in Docker's order even where the times are not.
  const single = mergeEarlier([{ lines: [at(200, 'x', 0), at(100, 'y', 0)], atStart: false }])
  assert.deepEqual(single.lines.map((l) => l.plain), ['x', 'y'])
})
