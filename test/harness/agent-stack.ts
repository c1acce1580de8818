// What the node-side integration tests stand on: a local DHT, the shared dockerd with the busybox
// image, the real relay and agent processes, devices connecting through the relay as the app does
// (each its own DHT node), and containers made for the test. stop() tears it all down in reverse.
import { randomBytes } from 'node:crypto'
import type Docker from 'dockerode'
import type { KeyPair } from 'hyperdht'
import { AgentClient, type Role } from '@pocketdock/protocol'
import { startTestnet, type LocalDht } from './testnet.ts'
import { startAgent, type AgentProcess } from './agent-process.ts'
import { startRelay, type RelayProcess } from './relay-process.ts'
import { sharedDockerd } from './dockerd.ts'
import { BUSYBOX_IMAGE, ensureBusyboxImage } from './busybox-image.ts'
import { connectRelayNode, type RelayNode } from './relay-client.ts'

export interface AgentStack {
  dht: LocalDht
  docker: Docker
  dockerHost: string
  /** The relay now running (a new process after restartRelay). */
  readonly relay: RelayProcess
  agent: AgentProcess
  /** Stops the relay, runs `whileDown`, and starts a new relay on the same port; stop() stops that one. */
  restartRelay(whileDown?: () => Promise<void>): Promise<void>
  /** A client for this key through the relay, on a DHT node of its own; closed by stop(). */
  connect(keyPair: KeyPair, opts?: { callTimeoutMs?: number }): AgentClient
  /** The device of this client vanishes: its relay node goes, without a goodbye to the agent. */
  vanish(client: AgentClient): Promise<void>
  /** A DHT node through the relay for this key, for tests that speak raw frames; destroyed by stop(). */
  relayNode(keyPair: KeyPair): RelayNode
  /** A busybox container named `<prefix>-<random>`, without network, started unless told; removed by stop(). */
  container(prefix: string, cmd: string[], opts?: Partial<Docker.ContainerCreateOptions> & { start?: boolean }): Promise<Docker.Container>
  stop(): Promise<void>
}

export interface AgentStackOptions {
  /** Devices on the agent's allowlist from the start. */
  allow?: Array<{ keyPair: KeyPair; role: Role }>
  /** Added to the agent's environment (its test knobs, e.g. POCKETDOCK_TRACE_STREAMS). */
  agentEnv?: Record<string, string>
}

export async function startAgentStack(opts: AgentStackOptions = {}): Promise<AgentStack> {
  const dht = await startTestnet()
  const clients: AgentClient[] = []
  const nodes: Array<{ destroy(): Promise<void> }> = []
  const nodeOf = new Map<AgentClient, { destroy(): Promise<void> }>()
  const created: Docker.Container[] = []
  let relay: RelayProcess | undefined
  let agent: AgentProcess | undefined
  const stop = async () => {
    for (const c of created) await c.remove({ force: true, v: true }).catch(() => {})
    for (const c of clients) await c.close().catch(() => {})
    for (const n of nodes) await n.destroy().catch(() => {})
    await agent?.stop()
    await relay?.stop()
    await dht.destroy()
  }
  try {
    const { docker, dockerHost } = await sharedDockerd()
    await ensureBusyboxImage(docker)
    relay = await startRelay({ bootstrap: dht.bootstrap })
    agent = await startAgent({
      bootstrap: dht.bootstrap,
      dockerHost,
      env: opts.agentEnv,
      allow: (opts.allow ?? []).map((d) => ({ key: d.keyPair.publicKey.toString('hex'), role: d.role }))
    })
    const a = agent
    // Same port after a restart, so the URL every device holds stays good.
    const wsUrl = relay.wsUrl
    return {
      dht,
      docker,
      dockerHost,
      get relay() {
        return relay!
      },
      agent: a,
      async restartRelay(whileDown) {
        const port = Number(new URL(relay!.url).port)
        await relay!.stop()
        relay = undefined
        await whileDown?.()
        relay = await startRelay({ bootstrap: dht.bootstrap, port })
      },
      connect(keyPair, { callTimeoutMs = 40_000 } = {}) {
        const { node } = connectRelayNode(wsUrl, { keyPair })
        nodes.push(node)
        const client = new AgentClient({ dht: node, keyPair, agentKey: Buffer.from(a.key, 'hex'), callTimeoutMs })
        clients.push(client)
        nodeOf.set(client, node)
        return client
      },
      async vanish(client) {
        await nodeOf.get(client)?.destroy()
      },
      relayNode(keyPair) {
        const relayNode = connectRelayNode(wsUrl, { keyPair })
        nodes.push(relayNode.node)
        return relayNode
      },
      async container(prefix, cmd, { start = true, ...extra } = {}) {
        const container = await docker.createContainer({
          Image: BUSYBOX_IMAGE,
          Cmd: cmd,
          name: `${prefix}-${randomBytes(4).toString('hex')}`,
          ...extra,
          HostConfig: { NetworkMode: 'none', ...extra.HostConfig }
        })
        created.push(container)
        if (start) await container.start()
        return container
      },
      stop
    }
  } catch (err) {
    await stop()
    throw err
  }
}
