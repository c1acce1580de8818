// One DHT node per page, through the relay that served the app, and one device swarm on it.
// The relay runs non-custodial: the Noise handshake and the secret key stay in this browser.
// When the relay's WebSocket drops, the node is rebuilt with capped, jittered backoff.
// A socket can also die without closing (the phone moved to another network, or woke up behind a
// NAT that forgot it): dht-relay notices only after 45 s without its pings. So when the network
// changes or the app comes back to the foreground, and every 20 s while it is shown, the hosts are
// asked for a ping; if none answers, the socket is replaced at once.
import { DeviceSwarm, createRelayNode, type KeyPair } from '@pocketdock/protocol'
import { selectSodium, type SodiumImplementation } from '../crypto/select-sodium.ts'

export type RelayState = 'connecting' | 'open' | 'down'
/** What a ping through the socket found: an answer, none, or no host connected to ask. */
export type Liveness = 'alive' | 'dead' | 'idle'

export interface RelayConnectionOptions {
  url?: string
  /** Pings the connected hosts through the current socket. */
  probe?: () => Promise<Liveness>
}

/** Chrome's Network Information API (not in TypeScript's DOM types): 'change' on a new network. */
type NetworkInformation = EventTarget & { type?: string }

const BACKOFF_MS = [500, 1000, 2000, 5000, 10000, 30000]
/** How often an open socket is checked while the app is shown, with no other reason to. */
const CHECK_EVERY_MS = 20_000
/** localStorage key that sets another period in ms (tests use it to tell the checks apart). */
const CHECK_SETTING = 'pocketdock.relayCheckEveryMs'

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
  private socket: WebSocket | null = null
  private checking = false
  private checkTimer: ReturnType<typeof setInterval> | null = null
  private readonly url: string
  private readonly probe: () => Promise<Liveness>

  private readonly ononline = () => {
    if (this.closed) return
    if (this.state === 'open') return void this.check(true)
    // The network is back: do not sit out the rest of a backoff.
    if (this.state !== 'down') return
    if (this.timer) clearTimeout(this.timer)
    this.connect()
  }
  /** Chrome also says 'change' when its speed estimate moves; only a new kind of network counts as one. */
  private networkType = network()?.type
  private readonly onnetworkchange = () => {
    const type = network()?.type
    const changed = type !== this.networkType
    this.networkType = type
    void this.check(changed)
  }
  private readonly onvisible = () => {
    if (document.visibilityState === 'visible') void this.check(false)
  }
  private readonly onresume = () => void this.check(false)

  constructor(private readonly keyPair: KeyPair, opts: RelayConnectionOptions = {}) {
    this.url = opts.url ?? relayUrl()
    this.probe = opts.probe ?? (async () => 'idle')
  }

  open(): void {
    this.closed = false
    addEventListener('online', this.ononline)
    network()?.addEventListener('change', this.onnetworkchange)
    document.addEventListener('visibilitychange', this.onvisible)
    document.addEventListener('resume', this.onresume)
    // A timer in a hidden page is throttled or frozen anyway; being shown again checks at once.
    const every = Number(localStorage.getItem(CHECK_SETTING)) || CHECK_EVERY_MS
    this.checkTimer = setInterval(() => document.visibilityState === 'visible' && void this.check(false), every)
    // The sodium is chosen once, before the first DHT node is built (its states stay with it).
    void selectSodium().then((sodium) => {
      this.sodium = sodium
      if (!this.closed && !this.swarm) this.connect()
    })
  }

  close(): void {
    this.closed = true
    removeEventListener('online', this.ononline)
    network()?.removeEventListener('change', this.onnetworkchange)
    document.removeEventListener('visibilitychange', this.onvisible)
    document.removeEventListener('resume', this.onresume)
    if (this.checkTimer) clearInterval(this.checkTimer)
    this.checkTimer = null
    if (this.timer) clearTimeout(this.timer)
    void this.swarm?.destroy()
    this.swarm = null
    this.socket?.close()
    this.socket = null
  }

  /**
   * Whether the open socket still carries anything. On a network change a socket with no host to
   * ask is replaced too (it costs a reconnect, and nothing live is lost); on waking up it is kept.
   */
  private async check(networkChanged: boolean): Promise<void> {
    if (this.closed || this.state !== 'open' || this.checking) return
    this.checking = true
    const swarm = this.swarm
    try {
      const liveness = await this.probe()
      if (this.closed || this.swarm !== swarm) return
      if (liveness === 'dead' || (liveness === 'idle' && networkChanged)) this.replace()
    } finally {
      this.checking = false
    }
  }

  /** A new socket now. The old one is dropped without waiting for its close, which a dead socket may never bring. */
  private replace(): void {
    const [swarm, socket] = [this.swarm, this.socket]
    this.swarm = null
    void swarm?.destroy().catch(() => {})
    socket?.close()
    this.attempt = 0
    this.connect()
  }

  private connect(): void {
    this.state = 'connecting'
    const socket = new WebSocket(this.url)
    this.socket = socket
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
      this.socket = null
      if (this.closed) return
      this.state = 'down'
      const base = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)]!
      this.timer = setTimeout(() => this.connect(), base / 2 + Math.random() * base)
    })
    this.swarm = swarm
  }
}

function network(): NetworkInformation | undefined {
  return (navigator as Navigator & { connection?: NetworkInformation }).connection
}
