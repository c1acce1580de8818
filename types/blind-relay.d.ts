// Minimal typings for Holepunch's blind-relay, covering only what the relay gateway and its tests use.
declare module 'blind-relay' {
  import { EventEmitter } from 'events'
  export interface BlindRelayStats {
    sessions: { accepted: number; opened: number; closed: number; active: number }
    pairings: { requested: number; matched: number; cancelled: number; pending: number; active: number }
    streams: { opened: number; closed: number; errors: number; active: number }
  }
  export class Server extends EventEmitter {
    constructor(opts: { createStream(opts: unknown): unknown })
    stats: BlindRelayStats
    accept(stream: unknown, opts?: { id?: Uint8Array }): EventEmitter
    close(): Promise<void>
  }
  /** A pairing request: emits the remote end's stream id as its one `data` item. */
  export interface BlindRelayRequest extends EventEmitter {
    on(event: string, fn: (...args: any[]) => void): this
    readonly isInitiator: boolean
    readonly token: Uint8Array
  }
  export class Client extends EventEmitter {
    /** `id`: the channel id, the connecting key (the server accepts with the remote key). */
    constructor(stream: unknown, opts?: { id?: Uint8Array })
    pair(isInitiator: boolean, token: Uint8Array, stream: unknown): BlindRelayRequest
    unpair(token: Uint8Array): void
  }
  const BlindRelay: { Server: typeof Server; Client: typeof Client }
  export default BlindRelay
}
