// The resume cursor: after a reconnect with `since` at the last line's second, lines up to and
// including the last one seen are skipped, also when many lines share one timestamp.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { LogLine } from '@pocketdock/protocol'
import { LogCursor, compareDockerTime, parseDockerTime } from '@pocketdock/protocol/log-follow'

const line = (time: string, text: string): LogLine => ({ stream: 'stdout', time, line: text })

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
    assert.equal(since, cut === 0 ? null : Math.floor(Date.parse(all[cut - 1]!.time) / 1000))
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
