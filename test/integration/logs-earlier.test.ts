// Reading a log backwards through the relay, as the log view does when its reader scrolls above
// the oldest line it keeps: the lines before a position are exactly the ones that precede it (also
// when the position falls inside a group of lines sharing one timestamp), paging back reassembles
// the whole log with no gap and no duplicate, and bad positions are refused.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import DHT from 'hyperdht'
import type Docker from 'dockerode'
import { AgentClient, MAX_LOGS_BEFORE, ProtocolError, type LogLine } from '@pocketdock/protocol'
import { followLogs, positionBefore, readLinesBefore } from '@pocketdock/protocol/log-follow'
import { startAgentStack, type AgentStack } from '../harness/agent-stack.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const LINES = 30_000
const PAGE = 2_500

describe('logs: reading backwards from a position', () => {
  let stack: AgentStack
  let viewer: AgentClient
  const key = DHT.keyPair()
  let done: Docker.Container
  /** The finished container's whole log, as the agent reads it forwards. */
  let all: LogLine[] = []

  const makeContainer = (cmd: string[]) => stack.container('pd-logs-back', cmd)

  /** What a reader holding `all` from position i on would ask for. */
  const positionAt = (i: number) => positionBefore(all.slice(i))!

  before(async () => {
    stack = await startAgentStack({ allow: [{ keyPair: key, role: 'viewer' }] })
    viewer = stack.connect(key)
    await viewer.ready()
    // Bursts of 500 lines on stdout and stderr in turn, so that neighbours often share a timestamp.
    done = await makeContainer(['sh', '-c', `b=0; while [ $b -lt ${LINES / 500} ]; do if [ $((b % 2)) = 0 ]; then seq $((b*500+1)) $((b*500+500)); else seq $((b*500+1)) $((b*500+500)) >&2; fi; b=$((b+1)); done`])
    await done.wait()
    for await (const l of viewer.containerLogs({ id: done.id, tail: null, since: null, follow: false, timestamps: true })) all.push(l)
    assert.equal(all.length, LINES)
  })

  after(async () => {
    await stack?.stop()
  })

  test('the lines before a position are exactly the ones that precede it', async () => {
    // Positions at the edges, in the middle, and inside groups of lines with one timestamp.
    const shared: number[] = []
    for (let i = 1; i < all.length && shared.length < 6; i++) if (all[i]!.time === all[i - 1]!.time) shared.push(i)
    const positions = [0, 1, 7, PAGE - 1, PAGE, PAGE + 1, 12_345, LINES - 1, ...shared]
    for (const i of positions) {
      const { lines, atStart } = await readLinesBefore(viewer, done.id, positionAt(i), PAGE)
      const expected = all.slice(Math.max(0, i - PAGE), i)
      assert.equal(lines.length, expected.length, `position ${i}`)
      assert.deepEqual(lines, expected, `position ${i}`)
      assert.equal(atStart, i < PAGE, `position ${i}: at the start`)
    }
    // Docker stamps lines in nanoseconds, so shared timestamps are rare here; test/unit/logs-before.test.ts covers them.
    console.log(`# ${shared.length} positions inside groups of lines sharing a timestamp`)
  })

  test('paging back from the newest line reassembles the whole log: no gap, no duplicate', async () => {
    let held = all.slice(-PAGE)
    let pages = 0
    while (true) {
      const { lines, atStart } = await readLinesBefore(viewer, done.id, positionBefore(held)!, PAGE)
      held = lines.concat(held)
      pages++
      if (atStart) break
      assert.ok(pages < 2 * (LINES / PAGE), 'paging ends')
    }
    assert.equal(held.length, LINES)
    // Docker's order, which interleaves stdout and stderr as its copiers wrote them: the forward read's.
    held.forEach((l, i) => l === all[i] || assert.deepEqual(l, all[i], `position ${i}`))
    assert.deepEqual(held.map((l) => Number(l.line)).sort((a, b) => a - b), Array.from({ length: LINES }, (_, i) => i + 1))
  })

  test('a followed log read backwards from its window while the container keeps writing', async () => {
    const running = await makeContainer(['sh', '-c', 'i=0; while true; do seq $((i*100+1)) $((i*100+100)); i=$((i+1)); sleep 0.05; done'])
    const deadline = Date.now() + 30_000
    const newest = async () => {
      for await (const l of viewer.containerLogs({ id: running.id, tail: 1, since: null, follow: false, timestamps: false })) return Number(l.line)
      return 0
    }
    while ((await newest()) < 3000) {
      if (Date.now() > deadline) throw new Error('the container writes too slowly')
      await sleep(100)
    }
    const window: LogLine[] = []
    const follower = followLogs({ id: running.id, tail: 300, client: () => viewer, onlines: (lines) => window.push(...lines) })
    try {
      while (window.length < 1000) {
        if (Date.now() > deadline) throw new Error(`window: ${window.length} lines`)
        await sleep(50)
      }
      const first = Number(window[0]!.line)
      const { lines, atStart } = await readLinesBefore(viewer, running.id, positionBefore(window)!, 1000)
      assert.equal(atStart, false)
      assert.deepEqual(lines.map((l) => Number(l.line)), Array.from({ length: 1000 }, (_, k) => first - 1000 + k))
    } finally {
      follower.stop()
    }
  })

  test('bad positions are refused with BAD_REQUEST and the connection stays usable', async () => {
    const bad = [
      { tail: PAGE, follow: true, before: positionAt(10) },
      { tail: null, follow: false, before: positionAt(10) },
      { tail: MAX_LOGS_BEFORE + 1, follow: false, before: positionAt(10) },
      { tail: 10, follow: false, before: { time: 'yesterday', atTime: 0 } }
    ]
    for (const p of bad) {
      await assert.rejects(
        (async () => {
          for await (const _ of viewer.containerLogs({ id: done.id, since: null, timestamps: true, ...p }));
        })(),
        (err: unknown) => err instanceof ProtocolError && err.code === 'BAD_REQUEST',
        JSON.stringify(p)
      )
    }
    // Docker's order, not seq's: its stderr copier can write a burst's lines ahead of stdout's.
    const { lines } = await readLinesBefore(viewer, done.id, positionAt(20), 5)
    assert.deepEqual(lines, all.slice(15, 20))
  })
})
