// A blind relay (Holepunch's blind-relay) on the gateway's DHT node, for peers that cannot
// holepunch to each other: both ends pair their UDX streams here by a token and the relay forwards
// the packets. They stay the peers' own Noise ciphertext; the relay holds no key to read them.
import BlindRelay from 'blind-relay'
import DHT, { type KeyPair } from 'hyperdht'

interface DhtServer {
  publicKey: Buffer
  listen(keyPair: KeyPair): Promise<void>
  close(): Promise<void>
}

export class BlindRelayHost {
  readonly keyPair: KeyPair
  private readonly relay: InstanceType<typeof BlindRelay.Server>
  private readonly server: DhtServer

  /** `seed`: 32 bytes for a key that stays the same across restarts (others configure it). */
  constructor(dht: DHT, seed?: Uint8Array) {
    this.keyPair = DHT.keyPair(seed)
    const d = dht as unknown as {
      createRawStream(opts: unknown): unknown
      createServer(onconnection: (socket: { remotePublicKey: Buffer; on(e: string, f: () => void): void }) => void): DhtServer
    }
    this.relay = new BlindRelay.Server({ createStream: (opts) => d.createRawStream({ ...(opts as object), framed: true }) })
    this.server = d.createServer((socket) => {
      socket.on('error', () => {})
      // A peer that pairs wrongly or vanishes ends its own session only.
      this.relay.accept(socket, { id: socket.remotePublicKey }).on('error', () => {})
    })
  }

  get publicKey(): Buffer {
    return this.keyPair.publicKey
  }

  /** Pairings matched and active, for /healthz. */
  get stats(): { matched: number; active: number } {
    return { matched: this.relay.stats.pairings.matched, active: this.relay.stats.pairings.active }
  }

  listen(): Promise<void> {
    return this.server.listen(this.keyPair)
  }

  async close(): Promise<void> {
    await this.relay.close()
    await this.server.close()
  }
}
