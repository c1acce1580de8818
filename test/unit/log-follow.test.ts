// The resume cursor: after a reconnect with `since` a second before the latest line's second, the
// lines already seen are skipped, also when many lines share one timestamp and when Docker's order
// is not time order (stdout and stderr interleave with some skew).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { LogLine } from '@pocketdock/protocol'
import { LogCursor, compareDockerTime, parseDockerTime } from '@pocketdock/protocol/log-follow'

const line = (time: string, text: string, stream: LogLine['stream'] = 'stdout'): LogLine => ({ stream, time, line: text })
const seconds = (time: string) => Math.floor(Date.parse(time) / 1000)

test('Docker times compare by value although Docker trims trailing zeros', () => {
  assert.deepEqual(parseDockerTime('2026-11-23T10:00:00.1Z'), [Date.parse('2026-11-23T10:00:00Z') / 1000, 100_000_000])
  assert.ok(compareDockerTime('2026-11-23T10:00:00.1Z', '2026-11-23T10:00:00.12Z') < 0, '.1 is before .12 (as strings it would sort after)')
  assert.ok(compareDockerTime('2026-11-23T10:00:01Z', '2026-11-23T10:00:00.999999999Z') > 0)
  assert.equal(compareDockerTime('2026-11-23T10:00:00.5Z', '2026-11-23T10:00:00.500000000Z'), 0)
  assert.deepEqual(parseDockerTime('not a time'), [NaN, NaN])
})

test('a resume skips exactly the lines already seen, counting lines that share the last timestamp', () => {
  const t1 = '2026-11-23T10:00:00.100Z'
  const t2 = '2026-11-23T10:00:00.2Z'
  const t3 = '2026-11-23T10:00:01.5Z'
  const all = [line(t1, 'a'), line(t2, 'b'), line(t2, 'c'), line(t2, 'd'), line(t3, 'e')]
  for (let cut = 0; cut <= all.length; cut++) {
    const cursor = new LogCursor()
    const got: string[] = []
    for (const l of all.slice(0, cut)) if (cursor.accept(l)) got.push(l.line)
    const since = cursor.resumeSince()
    assert.equal(since, cut === 0 ? null : seconds(all[cut - 1]!.time) - 1)
    // Docker sends again everything from that second on (inclusive); here that is all of them.
    for (const l of all) if (cursor.accept(l)) got.push(l.line)
    assert.deepEqual(got, ['a', 'b', 'c', 'd', 'e'], `cut after ${cut}`)
  }
})

test('two resumes in a row and new lines at the same timestamp after a resume', () => {
  const t = '2026-11-23T10:00:00.3Z'
  const cursor = new LogCursor()
  assert.ok(cursor.accept(line(t, 'x1')))
  cursor.resumeSince()
  assert.equal(cursor.accept(line(t, 'x1')), false, 'seen before the drop')
  assert.ok(cursor.accept(line(t, 'x2')), 'a new line with the same time')
  cursor.resumeSince()
  assert.equal(cursor.accept(line(t, 'x1')), false)
  assert.equal(cursor.accept(line(t, 'x2')), false)
  assert.ok(cursor.accept(line(t, 'x3')))
})

test('a line with an earlier time than the one before it is kept, live and across a resume', () => {
  // Docker's order: stdout at .500, then stderr stamped .498, then more.
  const all = [
    line('2026-11-23T10:00:00.500Z', 'out 1'),
    line('2026-11-23T10:00:00.498Z', 'err 1', 'stderr'),
    line('2026-11-23T10:00:01.001Z', 'out 2'),
    line('2026-11-23T10:00:00.999Z', 'err 2', 'stderr'),
    line('2026-11-23T10:00:01.200Z', 'out 3')
  ]
  const live = new LogCursor()
  assert.deepEqual(all.filter((l) => live.accept(l)).map((l) => l.line), all.map((l) => l.line), 'nothing dropped while following')
  for (let cut = 0; cut <= all.length; cut++) {
    const cursor = new LogCursor()
    const got = all.slice(0, cut).filter((l) => cursor.accept(l)).map((l) => l.line)
    const since = cursor.resumeSince()
    // Docker sends again, in its own order, every line from `since` on.
    for (const l of all) if (since === null || seconds(l.time) >= since) if (cursor.accept(l)) got.push(l.line)
    assert.deepEqual(got, all.map((l) => l.line), `cut after ${cut}`)
  }
})

test('identical lines at one time are told apart by how many were seen', () => {
  const t = '2026-11-23T10:00:00.3Z'
  const cursor = new LogCursor()
  assert.ok(cursor.accept(line(t, 'same')))
  assert.ok(cursor.accept(line(t, 'same')), 'a second identical line is a line of its own')
  cursor.resumeSince()
  assert.equal(cursor.accept(line(t, 'same')), false)
  assert.equal(cursor.accept(line(t, 'same')), false)
  assert.ok(cursor.accept(line(t, 'same')), 'a third one is new')
})

test('lines from before the resume point are forgotten, so memory stays bounded', () => {
  const cursor = new LogCursor()
  for (let s = 0; s < 100; s++) for (let i = 0; i < 100; i++) cursor.accept(line(`2026-11-23T10:01:${String(s % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z`.replace('10:01:', s < 60 ? '10:01:' : '10:02:'), `l${s}-${i}`))
  const remembered = (cursor as unknown as { recent: Map<string, number> }).recent.size
  assert.ok(remembered <= 200, `remembers only the last seconds' lines (${remembered})`)
})
