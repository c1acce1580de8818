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
  /** When each rebuild started (Date.now()). */
  readonly attempts: number[]
  close(): Promise<void>
}

/**
 * `backoffMs`: wait as the app does, capped and jittered (a delay from the list by attempt, between
 * half and one and a half times it; the count resets once a socket opens). Else `retryMs` flat.
 */
export function reconnectingClient(opts: {
  wsUrl: string
  keyPair: KeyPair
  agentKey: Uint8Array
  retryMs?: number
  backoffMs?: number[]
}): ReconnectingClient {
  let client: AgentClient | null = null
  let closed = false
  let rebuilds = 0
  let attempt = 0
  const attempts: number[] = []
  const delay = () => {
    if (!opts.backoffMs?.length) return opts.retryMs ?? 300
    const base = opts.backoffMs[Math.min(attempt++, opts.backoffMs.length - 1)]!
    return base / 2 + Math.random() * base
  }
  let timer: ReturnType<typeof setTimeout> | null = null
  const connect = () => {
    const { node, socket } = connectRelayNode(opts.wsUrl, { keyPair: opts.keyPair })
    const mine = new AgentClient({ dht: node, keyPair: opts.keyPair, agentKey: opts.agentKey })
    client = mine
    // A refused connect while the relay is down is expected: the close handler retries.
    socket.on('error', () => {})
    socket.on('open', () => (attempt = 0))
    ;(node as unknown as { on(e: string, f: () => void): void }).on('error', () => {})
    socket.on('close', () => {
      if (client !== mine) return
      client = null
      void mine.close().catch(() => {})
      void Promise.resolve((node as any).destroy?.()).catch(() => {})
      if (closed) return
      timer = setTimeout(() => {
        rebuilds++
        attempts.push(Date.now())
        connect()
      }, delay())
    })
  }
  connect()
  return {
    current: () => client,
    get rebuilds() {
      return rebuilds
    },
    attempts,
    async close() {
      closed = true
      if (timer) clearTimeout(timer)
      const last = client
      client = null
      await last?.close()
    }
  }
}
