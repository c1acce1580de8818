// One Hyperswarm per device identity and DHT. Each paired agent is a joinPeer() on it, so
// Hyperswarm gives reconnection with backoff and de-duplication; connections are routed to the
// AgentClient of the agent key they come from.
import Hyperswarm from 'hyperswarm'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import b4a from 'b4a'

export interface KeyPair {
  publicKey: Uint8Array
  secretKey: Uint8Array
}

/** Reconnect backoffs: short, because a person is waiting; capped at 20 s (Hyperswarm's own cap is 10 min). */
const BACKOFFS = [1000, 3000, 8000, 20000]
const JITTER = 500

export type ConnectionHandler = (conn: NoiseSecretStream) => void

export class DeviceSwarm {
  readonly swarm: Hyperswarm
  private readonly handlers = new Map<string, ConnectionHandler>()
  private readonly retryWhenIdle = new Map<string, Uint8Array>()

  constructor(opts: { dht: unknown; keyPair: KeyPair }) {
    this.swarm = new Hyperswarm({
      dht: opts.dht,
      keyPair: opts.keyPair as any,
      backoffs: BACKOFFS,
      jitter: JITTER
    })
    this.swarm.on('update', () => this.onupdate())
    this.swarm.on('connection', (conn) => {
      const handler = this.handlers.get(b4a.toString(conn.remotePublicKey, 'hex'))
      // A device swarm never listens, so anything unexpected is dropped.
      if (handler) handler(conn)
      else conn.destroy()
    })
  }

  /** The DHT node under the swarm, for one-off connects such as pairing (pairing.ts). */
  get dht(): unknown {
    return this.swarm.dht
  }

  get publicKey(): Uint8Array {
    return this.swarm.keyPair.publicKey
  }

  join(agentKey: Uint8Array, onconnection: ConnectionHandler): void {
    this.handlers.set(b4a.toString(agentKey, 'hex'), onconnection)
    this.swarm.joinPeer(agentKey)
  }

  leave(agentKey: Uint8Array): void {
    const hex = b4a.toString(agentKey, 'hex')
    this.handlers.delete(hex)
    this.swarm.leavePeer(agentKey)
    for (const conn of this.swarm.connections) {
      if (b4a.toString(conn.remotePublicKey, 'hex') === hex) conn.destroy()
    }
  }

  /**
   * Retry now instead of waiting out the backoff (after the device was just allowed, or when the
   * app returns to the foreground). Hyperswarm keeps a peer's failed attempts and retries an
   * explicit peer only on its slow timer, so the peer's record is dropped and joined afresh.
   * Not while an attempt is under way: that attempt is the retry, and its close handler still
   * refers to the old record.
   */
  retry(agentKey: Uint8Array): void {
    const hex = b4a.toString(agentKey, 'hex')
    const pending = this.pendingAttempt(agentKey)
    if (pending) {
      // An agent stays silent to a key it refuses, so a refused attempt only ends by timing out
      // (4–15 s through the relay). Abandon it and retry as soon as Hyperswarm has let go of it.
      this.retryWhenIdle.set(hex, agentKey)
      pending.destroy()
      return
    }
    if (this.attempting(agentKey)) return // connected already
    this.retryWhenIdle.delete(hex)
    this.swarm.leavePeer(agentKey)
    this.swarm.peers.delete(hex)
    this.swarm.joinPeer(agentKey)
  }

  // Hyperswarm tracks attempts and open connections in `_allConnections` (not public API; pinned
  // version). An attempt that is there but not among `connections` has not opened yet.
  private attempting(agentKey: Uint8Array): boolean {
    return this.allConnections().has(agentKey)
  }

  private pendingAttempt(agentKey: Uint8Array): NoiseSecretStream | null {
    const conn = this.allConnections().get(agentKey)
    return conn && !this.swarm.connections.has(conn) ? conn : null
  }

  private allConnections(): { has(key: Uint8Array): boolean; get(key: Uint8Array): NoiseSecretStream | undefined } {
    return (this.swarm as unknown as { _allConnections: never })._allConnections
  }

  private onupdate(): void {
    for (const [hex, key] of this.retryWhenIdle) {
      if (!this.handlers.has(hex)) this.retryWhenIdle.delete(hex)
      else if (!this.attempting(key)) this.retry(key)
    }
  }

  /** Destroys the swarm and the DHT node it runs on. */
  destroy(): Promise<void> {
    this.handlers.clear()
    this.retryWhenIdle.clear()
    return this.swarm.destroy()
  }
}
