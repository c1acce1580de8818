// One DHT node per page, through the relay that served the app, and one device swarm on it.
// The relay runs non-custodial: the Noise handshake and the secret key stay in this browser.
// When the relay's WebSocket drops, the node is rebuilt with capped, jittered backoff.
import { DeviceSwarm, createRelayNode, type KeyPair } from '@pocketdock/protocol'
import { selectSodium, type SodiumImplementation } from '../crypto/select-sodium.ts'

export type RelayState = 'connecting' | 'open' | 'down'

const BACKOFF_MS = [500, 1000, 2000, 5000, 10000, 30000]

export function relayUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/relay`
}

export class RelayConnection {
  state = $state<RelayState>('connecting')
  swarm = $state<DeviceSwarm | null>(null)
  /** The crypto the connections run on; null until chosen. */
  sodium = $state<SodiumImplementation | null>(null)
  private attempt = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  private closed = false

  private readonly ononline = () => {
    // The network is back: do not sit out the rest of a backoff.
    if (this.closed || this.state !== 'down') return
    if (this.timer) clearTimeout(this.timer)
    this.connect()
  }

  constructor(private readonly keyPair: KeyPair, private readonly url = relayUrl()) {}

  open(): void {
    this.closed = false
    addEventListener('online', this.ononline)
    // The sodium is chosen once, before the first DHT node is built (its states stay with it).
    void selectSodium().then((sodium) => {
      this.sodium = sodium
      if (!this.closed && !this.swarm) this.connect()
    })
  }

  close(): void {
    this.closed = true
    removeEventListener('online', this.ononline)
    if (this.timer) clearTimeout(this.timer)
    void this.swarm?.destroy()
    this.swarm = null
  }

  private connect(): void {
    this.state = 'connecting'
    const socket = new WebSocket(this.url)
    const node = createRelayNode(socket, { keyPair: this.keyPair })
    const swarm = new DeviceSwarm({ dht: node, keyPair: this.keyPair })
    socket.addEventListener('open', () => {
      this.attempt = 0
      this.state = 'open'
    })
    socket.addEventListener('close', () => {
      if (this.swarm !== swarm) return
      void swarm.destroy().catch(() => {})
      this.swarm = null
      if (this.closed) return
      this.state = 'down'
      const base = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)]!
      this.timer = setTimeout(() => this.connect(), base / 2 + Math.random() * base)
    })
    this.swarm = swarm
  }
}
