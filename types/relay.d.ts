// Typings the relay and its tests add to holepunch.d.ts: a DHT node's connect() and createServer(),
// which the relay's tests use directly (on a testnet node and on a dht-relay node alike).

declare module 'hyperdht' {
  import type { EventEmitter } from 'events'
  import type NoiseSecretStream from '@hyperswarm/secret-stream'
  export interface HyperDHTServer extends EventEmitter {
    listen(keyPair?: KeyPair): Promise<void>
    close(): Promise<void>
    address(): { host: string; port: number; publicKey: Buffer } | null
  }
  export default interface DHT {
    connect(remotePublicKey: Uint8Array, opts?: { keyPair?: KeyPair }): NoiseSecretStream
    createServer(onconnection?: (socket: NoiseSecretStream) => void): HyperDHTServer
  }
}

declare module '@hyperswarm/dht-relay' {
  import type NoiseSecretStream from '@hyperswarm/secret-stream'
  import type { KeyPair } from 'hyperdht'
  export default interface DHTRelayNode {
    connect(remotePublicKey: Uint8Array, opts?: { keyPair?: KeyPair }): NoiseSecretStream
  }
}
