// Logs end to end through the relay: every line once and in order (also across a relay restart,
// resumed by the same helper the app uses), the downloaded file equal to dockerode's logs, and
// the agent closing Docker's log request when the reader leaves.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import DHT from 'hyperdht'
import { AgentClient, ProtocolError, type LogLine } from '@pocketdock/protocol'
import { followLogs, type FollowState } from '@pocketdock/protocol/log-follow'
import { logFile } from '@pocketdock/protocol/log-download'
import { startAgentStack, type AgentStack } from '../harness/agent-stack.ts'
import { reconnectingClient } from '../harness/reconnecting-client.ts'
import { until } from '../harness/until.ts'

const LINES = 100_000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** dockerode's logs of a non-TTY container, demultiplexed into the text `docker logs` prints. */
function demux(buf: Buffer): string {
  const parts: Buffer[] = []
  for (let at = 0; at + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(at + 4)
    parts.push(buf.subarray(at + 8, at + 8 + size))
    at += 8 + size
  }
  return Buffer.concat(parts).toString('utf8')
}

describe('logs: batching, resume, download', () => {
  let stack: AgentStack
  let viewer: AgentClient
  const key = DHT.keyPair()
  const makeContainer = (cmd: string[], opts?: Parameters<AgentStack['container']>[2]) => stack.container('pd-logs', cmd, opts)

  before(async () => {
    stack = await startAgentStack({ allow: [{ keyPair: key, role: 'viewer' }], agentEnv: { POCKETDOCK_TRACE_STREAMS: '1' } })
    viewer = stack.connect(key)
    await viewer.ready()
  })

  after(async () => {
    await stack?.stop()
  })

  test(`${LINES} numbered lines arrive each exactly once, in order`, async () => {
    const container = await makeContainer(['seq', '1', String(LINES)])
    await container.wait()
    let expected = 1
    for await (const l of viewer.containerLogs({ id: container.id, tail: null, since: null, follow: false, timestamps: false })) {
      if (l.line !== String(expected)) assert.fail(`line ${expected}: got "${l.line}"`)
      assert.equal(l.time, '', 'no timestamps unless asked for')
      expected++
    }
    assert.equal(expected, LINES + 1)
  })

  test('the downloaded file equals what dockerode logs returns', async () => {
    const container = await makeContainer(['sh', '-c', 'for i in $(seq 1 3000); do echo "out $i <b>"; echo "err $i é" >&2; done; printf "\\033[31mred\\033[0m\\n"'])
    await container.wait()
    for (const timestamps of [true, false]) {
      const fromDocker = demux((await container.logs({ stdout: true, stderr: true, timestamps, follow: false })) as unknown as Buffer)
      let file = ''
      for await (const piece of logFile(viewer, container.id, { timestamps })) file += piece
      assert.ok(fromDocker.length > 50_000)
      assert.equal(file, fromDocker, `timestamps: ${timestamps}`)
    }
  })

  test('cancelling a followed log closes its Docker request in the agent', async () => {
    const container = await makeContainer(['sh', '-c', 'trap "exit 0" TERM; while true; do echo tick; sleep 0.2; done'])
    const short = container.id.slice(0, 12)
    const logs = viewer.containerLogs({ id: container.id, tail: 1, since: null, follow: true, timestamps: false })
    const it = logs[Symbol.asyncIterator]()
    assert.equal((await it.next()).value?.line, 'tick')
    await stack.agent.waitFor(new RegExp(`trace: logs stream opened ${short}`))
    assert.doesNotMatch(stack.agent.output(), new RegExp(`trace: logs stream closed ${short}`))
    logs.cancel()
    await stack.agent.waitFor(new RegExp(`trace: logs stream closed ${short}`), 10_000)
  })

  test("a log Docker cannot read is refused in Docker's words, and a missing container is NOT_FOUND", async () => {
    const silent = await makeContainer(['echo', 'never stored'], { HostConfig: { NetworkMode: 'none', LogConfig: { Type: 'none', Config: {} } } })
    const read = async (id: string) => {
      for await (const _ of viewer.containerLogs({ id, tail: null, since: null, follow: false, timestamps: true }));
    }
    await assert.rejects(read(silent.id), (err: unknown) => err instanceof ProtocolError && err.code === 'DOCKER_REFUSED' && /does not support reading/.test(err.message))
    await assert.rejects(read('0'.repeat(64)), (err: unknown) => err instanceof ProtocolError && err.code === 'NOT_FOUND' && /No such container/i.test(err.message))
    // The connection still serves.
    assert.ok(Array.isArray(await viewer.listContainers()))
  })

  test("a followed log goes on when its container starts again: the new run's lines once, none of the old again", async () => {
    const container = await makeContainer(['sh', '-c', 'echo "run $(cat /proc/uptime)"; seq 1 200'])
    await container.wait()
    const received: string[] = []
    const states: FollowState[] = []
    const follower = followLogs({
      id: container.id,
      tail: null,
      client: () => viewer,
      endedPollMs: 60_000,
      onlines: (lines) => received.push(...lines.map((l) => l.line)),
      onstate: (s) => states.push(s)
    })
    try {
      await until(() => states.at(-1) === 'ended' && received.length === 201, 'the first run and the end of the log')
      // A start seen by the app: no waiting for the next look (a minute away here).
      await container.start()
      await container.wait()
      follower.resume()
      await until(() => received.length >= 402, "the second run's lines", 10_000)
      // And a run nobody announced (a restart policy): found by the next look.
      const polled: string[] = []
      const poller = followLogs({ id: container.id, tail: null, client: () => viewer, endedPollMs: 200, onlines: (lines) => polled.push(...lines.map((l) => l.line)) })
      try {
        await until(() => polled.length === 402, 'the first two runs')
        // While it stays stopped the container is looked at, its log is not read again.
        const opens = () => stack.agent.output().split(`trace: logs stream opened ${container.id.slice(0, 12)}`).length
        const before = opens()
        await sleep(1000)
        assert.equal(opens(), before, 'no log request while the container stays stopped')
        await container.start()
        await container.wait()
        await until(() => polled.length >= 603, "the third run's lines, found by polling", 10_000)
        await sleep(500)
        assert.equal(polled.length, 603, 'looking again sends no line twice')
      } finally {
        poller.stop()
      }
      await sleep(300)
      assert.equal(received.length, 402, 'each line once: the old ones were not sent again')
      const runs = received.filter((l) => l.startsWith('run '))
      assert.equal(runs.length, 2)
      assert.notEqual(runs[0], runs[1])
      assert.deepEqual(received.slice(202), Array.from({ length: 200 }, (_, i) => String(i + 1)))
    } finally {
      follower.stop()
    }
  })

  // Last: it restarts the relay under the other tests' client.
  test(`a followed stream of ${LINES} lines resumes after the relay restarts: no gap, no duplicate`, async () => {
    // Bursts of 1000 lines (many share a timestamp) with pauses, so the restart falls mid-stream.
    const container = await makeContainer(['sh', '-c', `b=0; while [ $b -lt ${LINES / 1000} ]; do seq $((b*1000+1)) $((b*1000+1000)); b=$((b+1)); sleep 0.1; done`])
    const keyPair = DHT.keyPair()
    await stack.agent.allow(keyPair.publicKey.toString('hex'), 'viewer')
    const rc = reconnectingClient({ wsUrl: stack.relay.wsUrl, keyPair, agentKey: Buffer.from(stack.agent.key, 'hex') })
    const received: number[] = []
    const states: FollowState[] = []
    let problem: string | null = null
    const follower = followLogs({
      id: container.id,
      tail: null,
      client: () => rc.current(),
      retryMs: 300,
      onlines: (lines: LogLine[]) => {
        for (const l of lines) received.push(Number(l.line))
      },
      onstate: (s, err) => {
        states.push(s)
        if (s === 'failed') problem = `${err?.code}: ${err?.message}`
      }
    })
    try {
      await until(() => received.length >= 30_000, '30,000 lines before the restart', 60_000, 50)
      await stack.restartRelay()
      await until(() => received.length >= LINES || problem !== null, `all ${LINES} lines`, 120_000, 50)
      await until(() => states.at(-1) === 'ended', 'the end of the log', 30_000, 50)
      assert.equal(problem, null)
      assert.ok(rc.rebuilds >= 1, 'the relay connection was rebuilt')
      assert.ok(states.includes('waiting'), 'the stream was cut and resumed')
      assert.equal(received.length, LINES, 'no line twice')
      for (let i = 0; i < LINES; i++) if (received[i] !== i + 1) assert.fail(`position ${i}: line ${received[i]}, expected ${i + 1}`)
    } finally {
      follower.stop()
      await rc.close()
    }
  })
})
