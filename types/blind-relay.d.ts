// Minimal typings for Holepunch's blind-relay, covering only what the relay gateway uses.
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
  const BlindRelay: { Server: typeof Server }
  export default BlindRelay
}
