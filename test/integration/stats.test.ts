// Stats through the relay from real containers: a busy one shows its CPU, an idle one near none,
// memory as dockerode reports it, the host view lists them, and one Docker stream per container
// is shared by every watcher and closed when the last one leaves (seen in the agent's trace).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import os from 'node:os'
import DHT from 'hyperdht'
import type { AgentClient, ContainerStats } from '@pocketdock/protocol'
import type { AgentProcess } from '../harness/agent-process.ts'
import { startAgentStack, type AgentStack } from '../harness/agent-stack.ts'
import { memory } from '../../agent/lib/stats-compute.ts'

/** Reads samples until one matches; fails after `ms` (a functional limit, not a measurement). */
async function sampleMatching(it: AsyncIterator<ContainerStats>, pred: (s: ContainerStats) => boolean, ms = 20_000): Promise<ContainerStats[]> {
  const seen: ContainerStats[] = []
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const next = await it.next()
    if (next.done) break
    seen.push(next.value)
    if (pred(next.value)) return seen
  }
  throw new Error(`no matching sample; saw ${JSON.stringify(seen.map((s) => s.cpuPercent.toFixed(1)))}`)
}

describe('stats: per container and host, one shared Docker stream', () => {
  let stack: AgentStack
  let agent: AgentProcess
  const keys = [DHT.keyPair(), DHT.keyPair()]
  const clients: AgentClient[] = []
  const makeContainer = (cmd: string[]) => stack.container('pd-stats', cmd)

  before(async () => {
    stack = await startAgentStack({ allow: keys.map((keyPair) => ({ keyPair, role: 'viewer' as const })), agentEnv: { POCKETDOCK_TRACE_STREAMS: '1' } })
    agent = stack.agent
    clients.push(...keys.map((keyPair) => stack.connect(keyPair)))
    await Promise.all(clients.map((c) => c.ready()))
  })

  after(async () => {
    await stack?.stop()
  })

  test('a busy container shows CPU above 50 %, an idle one near 0, memory as dockerode reports', async () => {
    const busy = await makeContainer(['sh', '-c', 'yes > /dev/null'])
    // One sleeping process, nothing forked: memory steady enough to compare.
    const idle = await makeContainer(['sleep', '99999'])
    const busyStats = clients[0]!.containerStats(busy.id)
    const idleStats = clients[0]!.containerStats(idle.id)
    try {
      const busySeen = await sampleMatching(busyStats[Symbol.asyncIterator](), (s) => s.cpuPercent > 50)
      assert.ok(busySeen.at(-1)!.pids >= 1)
      const idleSeen = await sampleMatching(idleStats[Symbol.asyncIterator](), (s) => s.memoryUsed > 0)
      // Past the first sample (no interval yet to measure CPU over), a sleeping process is near zero.
      const idleIt = idleStats[Symbol.asyncIterator]()
      await idleIt.next()
      const later = (await idleIt.next()).value as ContainerStats
      assert.ok(later.cpuPercent < 5, `idle CPU ${later.cpuPercent}`)
      assert.ok(idleSeen.length >= 1)
      const fromDocker = memory((await idle.stats({ stream: false })) as any)
      const ours = later.memoryUsed
      assert.ok(fromDocker.memoryUsed > 0)
      assert.ok(Math.abs(ours - fromDocker.memoryUsed) <= fromDocker.memoryUsed * 0.1, `agent ${ours} B, dockerode ${fromDocker.memoryUsed} B`)
      assert.equal(later.memoryLimit, fromDocker.memoryLimit)
      assert.equal(later.netRxPerSec, 0, 'NetworkMode none: no traffic')
    } finally {
      busyStats.cancel()
      idleStats.cancel()
    }
  })

  test('two devices watching one container share one Docker stream, closed when both leave', async () => {
    const container = await makeContainer(['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'])
    const short = container.id.slice(0, 12)
    const opened = new RegExp(`trace: stats stream opened ${short}`, 'g')
    const closed = new RegExp(`trace: stats stream closed ${short}`, 'g')
    const a = clients[0]!.containerStats(container.id)
    const b = clients[1]!.containerStats(container.id)
    await a[Symbol.asyncIterator]().next()
    await b[Symbol.asyncIterator]().next()
    assert.equal(agent.output().match(opened)?.length, 1, 'one Docker stream for two watchers')
    a.cancel()
    // Still watched by b: a sample still arrives and the stream stays open.
    await b[Symbol.asyncIterator]().next()
    assert.equal(agent.output().match(closed), null)
    b.cancel()
    await agent.waitFor(closed, 10_000)
  })

  test('the host view: host CPU and memory, and the running containers', async () => {
    const container = await makeContainer(['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'])
    const host = clients[0]!.hostStats()
    try {
      for await (const h of host) {
        assert.equal(h.cpuCount, os.cpus().length)
        assert.equal(h.memoryTotal, os.totalmem())
        assert.ok(h.cpuPercent >= 0 && h.cpuPercent <= 100)
        if (h.containers.some((c) => c.id === container.id)) break
      }
    } finally {
      host.cancel()
    }
    const short = container.id.slice(0, 12)
    await agent.waitFor(new RegExp(`trace: stats stream closed ${short}`), 10_000)
  })

  test('the dashboard’s host load: the machine’s CPU and memory, and no Docker stream opened for it', async () => {
    const before = agent.output().split('trace: stats stream opened').length
    const load = clients[1]!.stream('stats.hostLoad', {})
    try {
      const it = load[Symbol.asyncIterator]()
      for (let i = 0; i < 2; i++) {
        const { value } = await it.next()
        assert.ok(value, 'a load sample arrives')
        assert.equal(value.cpuCount, os.cpus().length)
        assert.equal(value.memoryTotal, os.totalmem())
        assert.ok(value.cpuPercent >= 0 && value.cpuPercent <= 100, `cpu ${value.cpuPercent}`)
        assert.ok(value.memoryUsed > 0 && value.memoryUsed <= value.memoryTotal)
      }
    } finally {
      load.cancel()
    }
    assert.equal(agent.output().split('trace: stats stream opened').length, before, 'hostLoad opened a Docker stats stream')
  })
})
