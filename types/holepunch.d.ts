// Minimal typings for the untyped Holepunch modules, covering only what pocketdock uses.

declare module 'hyperdht' {
  import { EventEmitter } from 'events'
  export interface KeyPair { publicKey: Buffer; secretKey: Buffer }
  export interface DHTOptions {
    bootstrap?: Array<{ host: string; port: number } | string>
    host?: string
    port?: number
    ephemeral?: boolean
    firewalled?: boolean
    keyPair?: KeyPair
  }
  export default class DHT extends EventEmitter {
    constructor(opts?: DHTOptions)
    static keyPair(seed?: Uint8Array): KeyPair
    static bootstrapper(port: number, host: string, opts?: DHTOptions): DHT
    defaultKeyPair: KeyPair
    destroyed: boolean
    ready(): Promise<void>
    fullyBootstrapped(): Promise<void>
    address(): { host: string; port: number }
    destroy(opts?: { force?: boolean }): Promise<void>
  }
}

declare module 'hyperdht/testnet.js' {
  import DHT, { DHTOptions } from 'hyperdht'
  export interface Testnet {
    nodes: DHT[]
    bootstrap: Array<{ host: string; port: number }>
    createNode(opts?: DHTOptions): DHT
    destroy(): Promise<void>
  }
  export default function createTestnet(size?: number, opts?: { host?: string; port?: number; teardown?: unknown }): Promise<Testnet>
}

declare module '@hyperswarm/secret-stream' {
  import { Duplex } from 'streamx'
  export default class NoiseSecretStream extends Duplex {
    constructor(isInitiator: boolean, rawStream?: unknown, opts?: unknown)
    publicKey: Buffer
    remotePublicKey: Buffer
    handshakeHash: Buffer
    isInitiator: boolean
    rawStream: Duplex
    opened: Promise<boolean>
    setKeepAlive(ms: number): void
    setTimeout(ms: number): void
  }
}

declare module 'hyperswarm' {
  import { EventEmitter } from 'events'
  import type DHT from 'hyperdht'
  import type { KeyPair } from 'hyperdht'
  import type NoiseSecretStream from '@hyperswarm/secret-stream'
  export interface PeerInfo { publicKey: Buffer; banned: boolean; client: boolean }
  export interface HyperswarmOptions {
    keyPair?: KeyPair
    dht?: unknown
    bootstrap?: Array<{ host: string; port: number } | string>
    firewall?: (remotePublicKey: Buffer, payload: unknown) => boolean
    maxPeers?: number
    backoffs?: number[]
    jitter?: number
  }
  export default class Hyperswarm extends EventEmitter {
    constructor(opts?: HyperswarmOptions)
    keyPair: KeyPair
    dht: DHT
    connections: Set<NoiseSecretStream>
    peers: Map<string, PeerInfo>
    destroyed: boolean
    listen(): Promise<void>
    joinPeer(publicKey: Uint8Array): void
    leavePeer(publicKey: Uint8Array): void
    flush(): Promise<boolean>
    destroy(opts?: { force?: boolean }): Promise<void>
    on(event: 'connection', listener: (conn: NoiseSecretStream, info: PeerInfo) => void): this
    on(event: string, listener: (...args: any[]) => void): this
  }
}

declare module 'protomux' {
  import type { Encoder } from 'compact-encoding'
  export interface MessageOptions<T> {
    encoding?: Encoder<T>
    onmessage?: (message: T, channel: Channel) => void | Promise<void>
  }
  export interface Message<T> { send(message: T): boolean }
  export interface Channel {
    opened: boolean
    closed: boolean
    destroyed: boolean
    handshake: unknown
    userData: unknown
    open(handshake?: unknown): void
    close(): void
    cork(): void
    uncork(): void
    addMessage<T>(opts: MessageOptions<T>): Message<T>
    fullyOpened(): Promise<boolean>
  }
  export interface ChannelOptions {
    protocol: string
    id?: Uint8Array | null
    handshake?: Encoder<unknown>
    unique?: boolean
    onopen?: (handshake: unknown, channel: Channel) => void | Promise<void>
    onclose?: (isRemote: boolean, channel: Channel) => void | Promise<void>
    ondestroy?: (channel: Channel) => void | Promise<void>
    ondrain?: (channel: Channel) => void
  }
  export default class Protomux {
    static from(stream: unknown, opts?: unknown): Protomux
    stream: any
    drained: boolean
    createChannel(opts: ChannelOptions): Channel | null
    pair(opts: { protocol: string; id?: Uint8Array | null }, notify: (id: Uint8Array | null) => void): void
    unpair(opts: { protocol: string; id?: Uint8Array | null }): void
    destroy(err?: Error): void
  }
}

declare module '@hyperswarm/dht-relay' {
  import { EventEmitter } from 'events'
  import type { KeyPair } from 'hyperdht'
  export default class DHTRelayNode extends EventEmitter {
    constructor(stream: unknown, opts?: { keyPair?: KeyPair; custodial?: boolean })
    defaultKeyPair: KeyPair
    destroyed: boolean
    ready(): Promise<void>
    destroy(opts?: { force?: boolean }): Promise<void>
  }
  export function relay(dht: unknown, stream: unknown): Promise<unknown>
}

declare module '@hyperswarm/dht-relay/ws' {
  import { Duplex } from 'streamx'
  export default class WebSocketStream extends Duplex {
    constructor(isInitiator: boolean, socket: unknown)
  }
}

declare module 'sodium-native' {
  const sodium: any
  export default sodium
}

declare module 'hypercore-crypto' {
  import type { KeyPair } from 'hyperdht'
  export function keyPair(seed?: Uint8Array): KeyPair
  export function sign(message: Uint8Array, secretKey: Uint8Array): Buffer
  export function verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean
  export function hash(data: Uint8Array | Uint8Array[]): Buffer
  export function randomBytes(n: number): Buffer
  const crypto: { keyPair: typeof keyPair; sign: typeof sign; verify: typeof verify; hash: typeof hash; randomBytes: typeof randomBytes }
  export default crypto
}
