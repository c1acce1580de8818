// The limits, measured for bench.ts: a cold client's time to its first container list,
// the agent's memory idle and under a stats load, and the relay's memory per idle session.
import DHT, { type KeyPair } from 'hyperdht'
import WebSocket from 'ws'
import type Docker from 'dockerode'
import { createRelayNode } from '@pocketdock/protocol'
import { startAgent, type AgentProcess } from '../harness/agent-process.ts'
import type { RelayProcess } from '../harness/relay-process.ts'
import { connectAgentClient } from '../harness/relay-client.ts'
import { rssMB } from '../harness/proc-usage.ts'

export const STATS_CLIENTS = 20
export const STATS_CONTAINERS = 20
export const IDLE_SESSIONS = 100

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** ms from a new DHT node through the relay (nothing warm on the device side) to the list in hand. */
export async function coldStartToList(relay: RelayProcess, agent: AgentProcess, device: KeyPair): Promise<number> {
  const started = performance.now()
  const client = connectAgentClient(relay.wsUrl, { keyPair: device, agentKey: agent.key })
  await client.listContainers()
  const ms = performance.now() - started
  await client.close()
  return ms
}

/**
 * A fresh agent's RSS idle (its start settled) and with STATS_CLIENTS devices (each its own key and
 * relay connection) watching the stats of the same STATS_CONTAINERS running containers, once every
 * stream has delivered samples. Its own agent, so the other measurements' garbage is not counted.
 */
export async function agentUnderStatsLoad(opts: {
  relay: RelayProcess
  bootstrap: string[]
  dockerHost: string
  docker: Docker
  image: string
  created: Docker.Container[]
  env?: Record<string, string>
}): Promise<{ idleMB: number; loadMB: number; samples: number }> {
  const { relay, docker } = opts
  const keys = Array.from({ length: STATS_CLIENTS }, () => DHT.keyPair())
  const agent = await startAgent({
    bootstrap: opts.bootstrap,
    dockerHost: opts.dockerHost,
    name: 'bench-memory',
    env: opts.env,
    allow: keys.map((k) => ({ key: k.publicKey.toString('hex'), role: 'viewer' as const }))
  })
  try {
    await sleep(3000)
    const idleMB = rssMB(agent.pid)
    return { idleMB, ...(await statsLoad(agent, relay, docker, opts.image, opts.created, keys)) }
  } finally {
    await agent.stop()
  }
}

async function statsLoad(
  agent: AgentProcess,
  relay: RelayProcess,
  docker: Docker,
  image: string,
  created: Docker.Container[],
  keys: KeyPair[]
): Promise<{ loadMB: number; samples: number }> {
  const running: Docker.Container[] = []
  for (let i = 0; i < STATS_CONTAINERS; i++) {
    const c = await docker.createContainer({ Image: image, name: `bench-stats-${process.pid}-${i}`, Cmd: ['sleep', '3600'], HostConfig: { NetworkMode: 'none' } })
    created.push(c)
    await c.start()
    running.push(c)
  }
  const clients = keys.map((keyPair) => connectAgentClient(relay.wsUrl, { keyPair, agentKey: agent.key, callTimeoutMs: 40_000 }))
  const perStream = new Map<string, number>()
  const streams: Array<{ cancel(): void }> = []
  let samples = 0
  try {
    await Promise.all(clients.map((c) => c.ready()))
    const readers: Array<Promise<void>> = []
    for (const [ci, c] of clients.entries()) {
      for (const container of running) {
        const s = c.stream('stats.container', { id: container.id })
        streams.push(s)
        const key = `${ci}:${container.id}`
        readers.push(
          (async () => {
            for await (const _ of s) {
              samples++
              perStream.set(key, (perStream.get(key) ?? 0) + 1)
            }
          })().catch(() => {})
        )
      }
    }
    // Docker sends a stats sample a second; wait until every stream has had two, at most 60 s.
    const until = Date.now() + 60_000
    while (Date.now() < until && (perStream.size < STATS_CLIENTS * STATS_CONTAINERS || [...perStream.values()].some((n) => n < 2))) await sleep(200)
    if (perStream.size < STATS_CLIENTS * STATS_CONTAINERS) throw new Error(`only ${perStream.size} of ${STATS_CLIENTS * STATS_CONTAINERS} stats streams delivered`)
    const loadMB = rssMB(agent.pid)
    for (const s of streams) s.cancel()
    await Promise.all(readers)
    return { loadMB, samples }
  } finally {
    for (const s of streams) s.cancel()
    await Promise.all(clients.map((c) => c.close().catch(() => {})))
  }
}

/**
 * The relay's RSS growth per idle session: IDLE_SESSIONS device nodes that completed dht-relay's
 * handshake and then sit idle (from several loopback addresses, within the per-address cap).
 */
export async function relayMemoryPerIdleSession(relay: RelayProcess): Promise<{ perSessionKB: number; beforeMB: number; afterMB: number }> {
  await sleep(1000)
  const beforeMB = rssMB(relay.pid)
  const nodes = Array.from({ length: IDLE_SESSIONS }, (_, i) => {
    const ws = new WebSocket(relay.wsUrl, { localAddress: `127.0.1.${1 + (i % 10)}` })
    ws.on('error', () => {})
    return createRelayNode(ws, { keyPair: DHT.keyPair() })
  })
  try {
    await Promise.all(nodes.map((n) => n.ready()))
    await sleep(2000)
    const afterMB = rssMB(relay.pid)
    return { perSessionKB: ((afterMB - beforeMB) * 1024) / IDLE_SESSIONS, beforeMB, afterMB }
  } finally {
    await Promise.all(nodes.map((n) => n.destroy().catch(() => {})))
  }
}
