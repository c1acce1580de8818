// The browser side of logs, without a browser: ANSI → styled segments (never markup), search
// highlighting, the capped window and merging several containers by time.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseAnsi, stripAnsi } from '../../web/src/lib/logs/ansi.ts'
import { appendLines, highlight, linesOf, makeMatcher, toViewLine } from '../../web/src/lib/logs/log-window.ts'
import { positionBefore } from '@pocketdock/protocol/log-follow'

test('ANSI colours become styles; other escapes are dropped; markup is left as text', () => {
  assert.deepEqual(parseAnsi('\x1b[31mred\x1b[0m plain'), [{ text: 'red', fg: '#cd3131' }, { text: ' plain' }])
  assert.deepEqual(parseAnsi('\x1b[1;38;5;196mx\x1b[22;39my'), [{ text: 'x', bold: true, fg: 'rgb(255,0,0)' }, { text: 'y' }])
  assert.deepEqual(parseAnsi('\x1b[38;2;1;2;3m\x1b[2Ktrue'), [{ text: 'true', fg: 'rgb(1,2,3)' }])
  assert.deepEqual(parseAnsi('<img src=x onerror=alert(1)>'), [{ text: '<img src=x onerror=alert(1)>' }])
  assert.equal(stripAnsi('\x1b]0;title\x07a\x1b[31mb'), 'ab')
})

test('search: plain text is literal, a bad regex is reported, matches are cut out for highlighting', () => {
  assert.equal(makeMatcher('a.b', false).re!.test('axb'), false)
  assert.ok(makeMatcher('a.b', true).re!.test('axb'))
  assert.ok(makeMatcher('(', true).error)
  const re = makeMatcher('lo w', false).re
  const pieces = highlight([{ text: 'hello', fg: 'red' }, { text: ' world' }], 'hello world', re)
  assert.deepEqual(pieces, [{ text: 'hel', fg: 'red' }, { text: 'lo', fg: 'red', hit: true }, { text: ' w', hit: true }, { text: 'orld' }])
})

test('the window keeps at most its cap; a merged view is ordered by time', () => {
  const at = (s: number, text: string, container: string) => toViewLine({ stream: 'stdout', time: `2026-11-23T10:00:0${s}Z`, line: text }, container)
  let { lines, dropped } = appendLines([], [at(1, 'a1', 'a'), at(3, 'a3', 'a')], { merge: true })
  ;({ lines } = appendLines(lines, [at(2, 'b2', 'b'), at(4, 'b4', 'b')], { merge: true }))
  assert.deepEqual(lines.map((l) => l.plain), ['a1', 'b2', 'a3', 'b4'])
  ;({ lines, dropped } = appendLines(lines, [at(5, 'a5', 'a')], { merge: false, cap: 3 }))
  assert.equal(dropped, 2)
  assert.deepEqual(lines.map((l) => l.plain), ['a3', 'b4', 'a5'])
})

test("a merged view reads back from each container's first line in Docker's order, not the time-sorted one", () => {
  // Docker's stdout and stderr copiers run apart: a's second line (stderr) is stamped before its first.
  const line = (time: string, text: string, stream: 'stdout' | 'stderr' = 'stdout') => ({ stream, time: `2026-11-23T10:00:${time}Z`, line: text })
  const a = [line('02.000', 'a-first'), line('01.500', 'a-second', 'stderr'), line('03.000', 'a-third')].map((l, i) => toViewLine(l, 'a', 0, i))
  const b = [line('01.000', 'b-first'), line('02.500', 'b-second')].map((l, i) => toViewLine(l, 'b', 1, i))
  const { lines } = appendLines(appendLines([], a, { merge: true }).lines, b, { merge: true })
  assert.deepEqual(lines.map((l) => l.plain), ['b-first', 'a-second', 'a-first', 'b-second', 'a-third'], 'the view is by time')
  assert.deepEqual(linesOf(lines, 0).map((l) => l.plain), ['a-first', 'a-second', 'a-third'])
  // Read back from a-first (what Docker has before it), not from a-second (which would bring a-first twice).
  assert.deepEqual(positionBefore(linesOf(lines, 0)), { time: '2026-11-23T10:00:02.000Z', atTime: 1 })
  // Earlier lines read back take orders below the window's, so they come first for the next read.
  const earlier = toViewLine(line('00.500', 'a-zeroth'), 'a', 0, -1)
  assert.deepEqual(linesOf(appendLines(lines, [earlier], { merge: true }).lines, 0).map((l) => l.plain)[0], 'a-zeroth')
})
