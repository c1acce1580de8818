// An AgentClient through the relay that survives the relay going away, as the PWA's
// RelayConnection does it (web/src/lib/connection/relay.svelte.ts): when the WebSocket closes, the
// DHT node and the client on it are rebuilt, retrying until the relay answers again.
import type { KeyPair } from 'hyperdht'
import { AgentClient } from '@pocketdock/protocol'
import { connectRelayNode } from './relay-client.ts'

export interface ReconnectingClient {
  /** The client on the current relay connection; null while the relay is down. */
  current(): AgentClient | null
  /** How many times the node was rebuilt. */
  readonly rebuilds: number
  close(): Promise<void>
}

export function reconnectingClient(opts: { wsUrl: string; keyPair: KeyPair; agentKey: Uint8Array; retryMs?: number }): ReconnectingClient {
  let client: AgentClient | null = null
  let closed = false
  let rebuilds = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  const connect = () => {
    const { node, socket } = connectRelayNode(opts.wsUrl, { keyPair: opts.keyPair })
    const mine = new AgentClient({ dht: node, keyPair: opts.keyPair, agentKey: opts.agentKey })
    client = mine
    // A refused connect while the relay is down is expected: the close handler retries.
    socket.on('error', () => {})
    ;(node as unknown as { on(e: string, f: () => void): void }).on('error', () => {})
    socket.on('close', () => {
      if (client !== mine) return
      client = null
      void mine.close().catch(() => {})
      void Promise.resolve((node as any).destroy?.()).catch(() => {})
      if (closed) return
      timer = setTimeout(() => {
        rebuilds++
        connect()
      }, opts.retryMs ?? 300)
    })
  }
  connect()
  return {
    current: () => client,
    get rebuilds() {
      return rebuilds
    },
    async close() {
      closed = true
      if (timer) clearTimeout(timer)
      const last = client
      client = null
      await last?.close()
    }
  }
}
