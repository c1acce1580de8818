// A blind relay (Holepunch's blind-relay) on the gateway's DHT node, for peers that cannot
// holepunch to each other: both ends pair their UDX streams here by a token and the relay forwards
// the packets. They stay the peers' own Noise ciphertext; the relay holds no key to read them.
// Its key is handed out in every relayed connect, so strangers can reach it: each peer gets a few
// sessions, each session a few pairings, and the whole a ceiling, so nobody can grow its memory.
import BlindRelay from 'blind-relay'
import DHT, { type KeyPair } from 'hyperdht'

/** DHT connections one peer may hold here at once; a gateway or an agent needs one. */
export const MAX_SESSIONS_PER_PEER = 4
export const MAX_SESSIONS = 512
/** Pairings (pending or linked) one session may hold; each link is a stream on this node. */
export const MAX_PAIRINGS_PER_SESSION = 32

interface DhtSocket {
  remotePublicKey: Buffer
  on(event: string, fn: () => void): void
  destroy(): void
}

interface DhtServer {
  publicKey: Buffer
  listen(keyPair: KeyPair): Promise<void>
  close(): Promise<void>
}

/** What blind-relay's session keeps and this file reaches into (blind-relay 2.x). */
interface SessionInternals {
  _pairing: Set<string>
  _pair: { onmessage: (message: unknown, session: unknown) => unknown }
  destroy(err?: Error): void
  on(event: string, fn: (...args: unknown[]) => void): unknown
}

export class BlindRelayHost {
  readonly keyPair: KeyPair
  private readonly relay: InstanceType<typeof BlindRelay.Server>
  private readonly server: DhtServer
  private readonly sessionsByPeer = new Map<string, number>()
  private sessions = 0
  private refused = 0

  /** `seed`: 32 bytes for a key that stays the same across restarts (others configure it). */
  constructor(dht: DHT, seed?: Uint8Array) {
    this.keyPair = DHT.keyPair(seed)
    const d = dht as unknown as {
      createRawStream(opts: unknown): unknown
      createServer(onconnection: (socket: DhtSocket) => void): DhtServer
    }
    this.relay = new BlindRelay.Server({ createStream: (opts) => d.createRawStream({ ...(opts as object), framed: true }) })
    this.server = d.createServer((socket) => this.onconnection(socket))
  }

  get publicKey(): Buffer {
    return this.keyPair.publicKey
  }

  /** Pairings matched and active, and connections refused at a cap, for /healthz. */
  get stats(): { matched: number; active: number; refused: number } {
    return { matched: this.relay.stats.pairings.matched, active: this.relay.stats.pairings.active, refused: this.refused }
  }

  listen(): Promise<void> {
    return this.server.listen(this.keyPair)
  }

  async close(): Promise<void> {
    await this.relay.close()
    await this.server.close()
  }

  private onconnection(socket: DhtSocket): void {
    socket.on('error', () => {})
    const peer = socket.remotePublicKey.toString('hex')
    const held = this.sessionsByPeer.get(peer) ?? 0
    if (held >= MAX_SESSIONS_PER_PEER || this.sessions >= MAX_SESSIONS) {
      this.refused++
      socket.destroy()
      return
    }
    this.sessionsByPeer.set(peer, held + 1)
    this.sessions++
    let counted = true
    socket.on('close', () => {
      if (!counted) return
      counted = false
      this.sessions--
      const left = (this.sessionsByPeer.get(peer) ?? 1) - 1
      if (left > 0) this.sessionsByPeer.set(peer, left)
      else this.sessionsByPeer.delete(peer)
    })
    // A peer that pairs wrongly or vanishes ends its own session only.
    const session = this.relay.accept(socket, { id: socket.remotePublicKey }) as unknown as SessionInternals
    session.on('error', () => {})
    const onpair = session._pair.onmessage
    session._pair.onmessage = (message, from) => {
      if (session._pairing.size >= MAX_PAIRINGS_PER_SESSION) {
        this.refused++
        session.destroy(new Error(`more than ${MAX_PAIRINGS_PER_SESSION} pairings on one session`))
        socket.destroy()
        return
      }
      return onpair(message, from)
    }
  }
}
