// The relay's settings and their defaults.
export interface RelayOptions {
  port: number
  host: string
  bootstrap: string[]
  webRoot: string
  tls: { cert: string; key: string } | null
  /** Concurrent WebSocket sessions; one more is closed with 1013. */
  maxSessions: number
  /**
   * Largest WebSocket message. A device's message carries one encrypted protocol frame (at most
   * 1 MiB, see protocol MAX_FRAME_BYTES) plus dht-relay's framing, so 4 MiB leaves headroom.
   */
  maxMessageBytes: number
  /** A socket silent this long is closed. dht-relay heartbeats every 15 s, so only dead ones are. */
  idleTimeoutMs: number
  /** A socket that has not completed dht-relay's handshake by then is closed. */
  handshakeTimeoutMs: number
}

export const DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  maxSessions: 256,
  maxMessageBytes: 4 * 1024 * 1024,
  idleTimeoutMs: 60_000,
  handshakeTimeoutMs: 10_000
}

/** WebSocket close codes the relay uses, so clients can tell the reasons apart. */
export const CLOSE = {
  FULL: 1013,
  TOO_BIG: 1009,
  IDLE: 4408,
  CUSTODIAL_REFUSED: 4403
} as const
