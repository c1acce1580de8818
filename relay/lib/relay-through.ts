// Which blind relay, if any, a connect made for a device goes through. As Hyperswarm does it for
// its own connects: directly first (a holepunched path is shorter and costs the blind relay
// nothing), and through a blind relay once holepunching to that peer has failed, or from the start
// when this node's own NAT is randomizing. A device retries a failed connect by itself (its
// Hyperswarm backs off and tries again), and that retry goes through the blind relay.

// hyperdht's errors that mean "no direct path" (Hyperswarm's shouldForceRelaying list).
const HOLEPUNCH_FAILED = new Set(['HOLEPUNCH_ABORTED', 'HOLEPUNCH_DOUBLE_RANDOMIZED_NATS', 'CANNOT_HOLEPUNCH', 'REMOTE_NOT_HOLEPUNCHABLE'])

/** How long a peer that could not be holepunched is reached through a blind relay. */
const FORCE_MS = 30 * 60_000
/** Peers remembered at most (oldest forgotten first), so strangers' keys cannot grow the map. */
const MAX_REMEMBERED = 4096

export class RelayThrough {
  readonly relays: Buffer[]
  private readonly forced = new Map<string, number>()
  private readonly randomized: () => boolean

  constructor(relays: Buffer[], randomized: () => boolean) {
    this.relays = relays
    this.randomized = randomized
  }

  /** The blind relay for a connect to `remotePublicKey`, or null to go direct. */
  pick(remotePublicKey: Buffer): Buffer | null {
    if (this.relays.length === 0) return null
    if (!this.randomized() && !this.isForced(remotePublicKey.toString('hex'))) return null
    return this.relays[Math.floor(Math.random() * this.relays.length)]!
  }

  /** A connect failed: if for want of a holepunch, the next one to that peer is relayed. */
  failed(remotePublicKey: Buffer, err: { code?: string } | null | undefined): void {
    if (this.relays.length === 0 || !err?.code || !HOLEPUNCH_FAILED.has(err.code)) return
    const hex = remotePublicKey.toString('hex')
    this.forced.delete(hex)
    this.forced.set(hex, Date.now() + FORCE_MS)
    if (this.forced.size > MAX_REMEMBERED) this.forced.delete(this.forced.keys().next().value!)
  }

  private isForced(hex: string): boolean {
    const until = this.forced.get(hex)
    if (until === undefined) return false
    if (until > Date.now()) return true
    this.forced.delete(hex)
    return false
  }
}
